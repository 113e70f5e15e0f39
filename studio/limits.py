"""Engine limits the validation warns about, in a module light enough for ``crisis-studio validate``
to read without importing the engine (numpy, scipy, numba)."""

EXACT_EXTRA_ATTEMPTS = 1_000
"""Retries of a link drawn one by one (exact geometric); beyond that many extra attempts the rest is
one normal draw with the same mean and variance, and validation warns where that can happen."""
