"""Keyed, counter-based randomness: every random number is a pure function of (seed, purpose, keys...).

A splitmix64-style finaliser mixes the seed, a purpose constant and each key into one 64-bit word per
element (vectorised on uint64 numpy arrays); its top 53 bits make a uniform in [0, 1). No generator state is
shared across days, hospitals or stays, so a result never depends on how many days one process simulated or
in which order hospitals were processed (design: "Randomness is a pure function of keys").
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / (1 << 53)

# Purposes: one constant per kind of draw (never reuse one for two meanings).
(
    SYSTEM,
    SITES,
    NAMES,
    ARRIVALS,
    CASEMIX,
    LOS,
    PATH,
    OUTCOME,
    TIMING,
    DOCTOR,
    CHARGES,
    REVISIT,
    PATIENT,
    COVERAGE,
    BIRTH,
    ROSTER,
    DISCHARGE_DAY,
    MOVE,
    FEED,
    DEFECTS,
) = range(1, 21)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, in place on ``x`` (a fresh array the caller owns); returns it."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


_SEEDED: dict[tuple[int, int], np.uint64] = {}


def _seeded(seed: int, purpose: int) -> np.uint64:
    """The hash of (seed, purpose) alone: a scalar, computed once per pair."""
    key = (seed, purpose)
    if key not in _SEEDED:
        with np.errstate(over="ignore"):
            start = np.array([np.uint64(seed & 0xFFFFFFFFFFFFFFFF) + np.uint64(purpose) * _GOLDEN], dtype=np.uint64)
        _SEEDED[key] = _mix(start)[0]
    return _SEEDED[key]


def hashes(seed: int, purpose: int, *keys: np.ndarray | int) -> np.ndarray:
    """64-bit hashes of (seed, purpose, keys...), broadcast over the keys' shapes.

    Each key is mixed in at its own shape and broadcast as it comes (a (n, 1) key then a (1, m) key: n
    mixes, then n x m), the same values as mixing every step at the full shape, with less work.
    """
    arrays = [np.asarray(k).astype(np.uint64) for k in keys]
    shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
    h: np.ndarray = np.asarray(_seeded(seed, purpose), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for a in arrays:
            a += _GOLDEN  # a fresh array (astype copies)
            h = _mix(np.bitwise_xor(h, a))
    return np.broadcast_to(h, shape).copy() if h.shape != shape else h


def uniform(seed: int, purpose: int, *keys: np.ndarray | int) -> np.ndarray:
    """Uniforms in [0, 1) keyed by (seed, purpose, keys...)."""
    return (hashes(seed, purpose, *keys) >> _S11).astype(np.float64) * _TO_UNIT


def normal_from_uniform(u: np.ndarray) -> np.ndarray:
    """Standard normal quantiles of uniforms (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)  # fmt: skip
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    p = np.clip(np.asarray(u, dtype=np.float64), 1e-12, 1 - 1e-12)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )
    for mask, sign, tail in ((low, 1.0, p[low]), (high, -1.0, 1 - p[high])):
        t = np.sqrt(-2 * np.log(tail))
        out[mask] = (
            sign
            * (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5])
            / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
        )
    return out


def normal(seed: int, purpose: int, *keys: np.ndarray | int) -> np.ndarray:
    """Standard normals keyed by (seed, purpose, keys...)."""
    return normal_from_uniform(uniform(seed, purpose, *keys))


def poisson_from_uniform(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson counts by inverse transform of uniforms (exact below a mean of 40, else a normal approximation)."""
    u = np.asarray(u, dtype=np.float64)
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
    out = np.zeros(u.shape, dtype=np.int64)
    small = lam < 40
    if small.any():
        ls, us = lam[small], u[small]
        p = np.exp(-ls)
        cdf = p.copy()
        k = np.zeros(ls.shape, dtype=np.int64)
        for i in range(1, 120):
            more = us > cdf
            if not more.any():
                break
            k += more
            p = p * ls / i
            cdf = cdf + p
        out[small] = k
    big = ~small
    if big.any():
        z = normal_from_uniform(u[big])
        out[big] = np.maximum(0, np.floor(lam[big] + np.sqrt(lam[big]) * z + 0.5)).astype(np.int64)
    return out


def choose(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Indices drawn from a cumulative distribution (last value 1) by inverse transform."""
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1).astype(np.int64)


def cumulative(weights: np.ndarray) -> np.ndarray:
    """The cumulative distribution of non-negative weights, ending exactly at 1."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    cdf = cdf / cdf[-1]
    cdf[-1] = 1.0
    return cdf
