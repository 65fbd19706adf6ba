"""Unbiased pass@k (Chen et al. 2021, openai/human-eval ``estimate_pass_at_k``).

With ``n`` draws of which ``c`` passed, pass@k = 1 - C(n-c, k) / C(n, k): the chance
that at least one of ``k`` draws taken without replacement from the ``n`` passes.
"""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["pass_at_k", "mean_pass_at_k"]


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one problem with ``n`` draws, ``c`` of them correct.

    Computed as ``1 - prod_{i=n-c+1..n} (1 - k/i)`` (numerically stable, no big binomials).
    """
    if n < 1 or k < 1:
        raise ValueError(f"pass@k needs n >= 1 and k >= 1, got n={n}, k={k}")
    if not 0 <= c <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n, got c={c}, n={n}")
    if k > n:
        raise ValueError(f"pass@k needs k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """Mean pass@k over problems given ``(n, c)`` per problem (problems with n < k are skipped).

    Returns 0.0 for an empty set.
    """
    values: Sequence[float] = [pass_at_k(n, c, k) for n, c in counts if n >= k]
    return sum(values) / len(values) if values else 0.0
