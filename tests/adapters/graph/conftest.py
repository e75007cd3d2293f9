from tests.adapters.msal.fixtures import clean_sandbox, configs, gateway, profiles, sandbox

__all__ = ["clean_sandbox", "configs", "gateway", "profiles", "sandbox"]
