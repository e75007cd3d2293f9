# See __init__.pyi: msal.exceptions as adapters/msal/outcomes.py uses it.
from typing import Any

class MsalError(Exception):
    msg: str

class MsalServiceError(MsalError):
    def __init__(self, *args: Any, error: str, error_description: str, **kwargs: Any) -> None: ...
