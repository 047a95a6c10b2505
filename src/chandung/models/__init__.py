"""Statistical models: pure estimators without I/O (scikit-learn style)."""
