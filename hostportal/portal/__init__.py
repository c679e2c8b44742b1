"""The HR portal: a thin face over the same services and selectors as the admin (issue 7)."""
