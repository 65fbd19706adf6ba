"""The Pareto front of pass@1 (higher is better) against cost (lower is better)."""

from __future__ import annotations

from typing import Hashable, Sequence, TypeVar

__all__ = ["dominates", "pareto_front", "pick_best"]

K = TypeVar("K", bound=Hashable)


def dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """``a`` = (score, cost) is at least as good as ``b`` on both and better on one."""
    return a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1])


def pareto_front(points: Sequence[tuple[K, float, float]]) -> list[K]:
    """Keys of the non-dominated ``(key, score, cost)`` points, by increasing cost then key order.
    Points with equal (score, cost) are all kept."""
    front = [(k, s, c) for k, s, c in points if not any(dominates((s2, c2), (s, c)) for _, s2, c2 in points)]
    return [k for k, _, _ in sorted(front, key=lambda p: p[2])]


def pick_best(points: Sequence[tuple[K, float, float]]) -> K:
    """Highest score; ties go to the lower cost, then to the earlier point."""
    if not points:
        raise ValueError("no points to pick from")
    index = min(range(len(points)), key=lambda i: (-points[i][1], points[i][2], i))
    return points[index][0]
