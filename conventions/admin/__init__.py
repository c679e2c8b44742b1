"""Django admin of the domain (a package: one module per page, plus the shared pieces).

Importing the page modules registers them; hostportal.admin holds the tenancy every page builds on.
"""

from conventions.admin import audit, avenants, conventions, documents, interns, parameters, permits, visas

__all__ = ["audit", "avenants", "conventions", "documents", "interns", "parameters", "permits", "visas"]
