"""Customer-lifetime-value models, each a scikit-learn-style estimator fitted by maximum likelihood."""
