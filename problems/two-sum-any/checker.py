"""Checker for two-sum: checker INPUT EXPECTED OUTPUT; exit 0 accepts, 1 rejects."""
import sys


def reject(message):
    print(message)
    sys.exit(1)


def main():
    data = open(sys.argv[1]).read().split()
    n, target = int(data[0]), int(data[1])
    a = [int(x) for x in data[2:2 + n]]
    expected = open(sys.argv[2]).read().split()
    got = open(sys.argv[3]).read().split()
    if len(got) != 2:
        reject(f"expected 2 integers, got {len(got)} tokens")
    try:
        i, j = int(got[0]), int(got[1])
    except ValueError:
        reject(f"not integers: {got[0][:20]!r} {got[1][:20]!r}")
    if expected == ["-1", "-1"]:
        if (i, j) != (-1, -1):
            reject("no pair exists, but the output names one")
        return
    if (i, j) == (-1, -1):
        reject("a pair exists, but the output says -1 -1")
    if not 1 <= i < j <= n:
        reject(f"indices must satisfy 1 <= i < j <= {n}, got {i} {j}")
    if a[i - 1] + a[j - 1] != target:
        reject(f"a_{i} + a_{j} = {a[i - 1] + a[j - 1]}, not {target}")


main()
