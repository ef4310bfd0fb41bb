"""Hostile tests: attacks on a real app on loopback (issue 17), each bounded in time.

An attack runs against a dedicated server (small MEDSTAT_* limits make it cheap) while a victim
(conftest.Victim) keeps running a small analysis and asking /healthz, and an RSS sampler
(conftest.RssSampler) watches the app process. A test passes when the attacker got a message
saying what to fix, the server is still up, the victim stayed fast and RSS stayed in budget.
"""
