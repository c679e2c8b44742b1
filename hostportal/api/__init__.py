"""The REST API (/api/v1/): thin DRF views over the same services, selectors and registry as the portal."""
