"""Tools for people who extend skdae.

The only public module is :mod:`skdae.utils.estimator_checks`, which tests a
user's own noise model against skdae's contract.
"""
