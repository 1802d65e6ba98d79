"""Spectral grouping of one block of debate sentences, numpy only.

Given the exact cosine similarities of at most a few hundred sentences, find the groups that make one
point each:

1. keep each sentence's `neighbours` most similar sentences (a symmetric k-nearest-neighbour graph): a
   paraphrase then links to its own point's sentences even when it shares few words with the group as a
   whole, and the debate's common words stop linking everything to everything;
2. embed the sentences with the leading eigenvectors of the graph's normalised affinity
   D^-1/2 W D^-1/2 (spectral clustering, Ng-Jordan-Weiss); the number of groups is at least what the
   caller will show, more when more parts of the graph are nearly cut off from each other (eigenvalues
   close to 1), so that separate points are never forced into one group;
3. partition the embedded sentences by spherical k-means, seeded k-means++-style over dense regions
   (a seed is drawn with probability proportional to its density, times its distance to the seeds already
   drawn, squared), with several seeded restarts, keeping the partition with the best objective.

Everything is deterministic (a fixed random generator seed) and O(n^3) in the block size, which the
caller bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["choose_group_count", "knn_affinity", "leading_eigenpairs", "spectral_embedding", "spectral_groups", "spherical_kmeans", "unit_rows"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Seeded restarts of k-means; the best objective (sum of similarities to the centroids) wins.
RESTARTS = 8
MAX_ITERATIONS = 50
RANDOM_SEED = 2026
# Eigenproblems up to this size are solved directly; larger ones by subspace iteration.
DIRECT_EIGEN_SIZE = 64
OVERSAMPLING = 8
SUBSPACE_ROUNDS = 15
ORTHONORMALIZE_EVERY = 5


def knn_affinity(similarity: FloatArray, neighbours: int) -> FloatArray:
    """The similarity matrix with only each row's `neighbours` largest off-diagonal entries kept (and
    kept symmetric: an edge stays when either end chose it). Negative similarities become 0."""
    size = len(similarity)
    weights = np.clip(similarity, 0.0, None)
    np.fill_diagonal(weights, 0.0)
    if size <= neighbours + 1:
        return weights
    # The neighbours-th largest value of each row; ties at it are kept, so the order of equals is moot.
    cut = -np.partition(-weights, neighbours - 1, axis=1)[:, neighbours - 1]
    chosen = (weights >= cut[:, None]) & (weights > 0)
    kept: FloatArray = np.where(chosen | chosen.T, weights, 0.0)
    return kept


def _orthonormal(columns: FloatArray) -> FloatArray:
    """An orthonormal basis of the columns' span by modified Gram-Schmidt, done twice for accuracy
    (vector operations only: LAPACK's `qr` and `eigh` stall under CPU contention, see
    `leading_eigenpairs`). Columns that vanish numerically are dropped."""
    basis = columns.copy()
    kept: list[int] = []
    for _ in range(2):
        kept = []
        for column in range(basis.shape[1]):
            vector = basis[:, column]
            for previous in kept:
                vector -= (basis[:, previous] @ vector) * basis[:, previous]
            norm = float(np.linalg.norm(vector))
            if norm > 1e-10:
                basis[:, column] = vector / norm
                kept.append(column)
        basis = basis[:, kept]
    return basis


@dataclass(frozen=True, slots=True)
class _SparseSymmetric:
    """The non-zeros of a square matrix, row by row, for products with thin dense matrices."""

    size: int
    rows: IntArray
    columns: IntArray
    values: FloatArray
    row_starts: IntArray  # first position of each row that has non-zeros
    filled_rows: IntArray  # those rows

    @classmethod
    def from_dense(cls, matrix: FloatArray) -> _SparseSymmetric:
        rows, columns = np.nonzero(matrix)  # row-major: sorted by row
        filled_rows, row_starts = np.unique(rows, return_index=True)
        return cls(len(matrix), rows, columns, matrix[rows, columns], row_starts, filled_rows)

    def times(self, thin: FloatArray) -> FloatArray:
        out = np.zeros((self.size, thin.shape[1]), dtype=np.float64)
        if len(self.values):
            products = self.values[:, None] * thin[self.columns]
            out[self.filled_rows] = np.add.reduceat(products, self.row_starts, axis=0)
        return out


def leading_eigenpairs(matrix: FloatArray, count: int) -> tuple[FloatArray, FloatArray]:
    """The `count` largest eigenvalues (decreasing) and their eigenvectors (columns) of a symmetric
    matrix whose eigenvalues lie in [-1, 1] (a normalised affinity: sparse, a few neighbours a row).

    Why not `np.linalg.eigh` on the whole matrix: LAPACK's multithreaded symmetric solver slows down by
    two orders of magnitude when another process holds a core (0.9 s instead of 0.01 s for 236 x 236
    on the project's 2-core box). So: orthogonal iteration with sparse products, O(non-zeros x count)
    a round. (M + I) / 2 has the same eigenvectors and eigenvalues in [0, 1] in the same order;
    iterating with it leaves the leading eigenvectors dominant, and the eigenpairs come from the small
    projected matrix (Rayleigh-Ritz). Only the leading ones need to be accurate: they decide the groups."""
    size = len(matrix)
    if size <= DIRECT_EIGEN_SIZE:
        values, vectors = np.linalg.eigh(matrix)
        return values[::-1][:count].copy(), vectors[:, ::-1][:, :count].copy()
    sparse = _SparseSymmetric.from_dense(matrix)
    width = min(size, count + OVERSAMPLING)
    rng = np.random.default_rng(RANDOM_SEED)
    basis = _orthonormal(rng.standard_normal((size, width)))
    for round_number in range(1, SUBSPACE_ROUNDS + 1):
        basis = 0.5 * (sparse.times(basis) + basis)
        if round_number % ORTHONORMALIZE_EVERY == 0 or round_number == SUBSPACE_ROUNDS:
            basis = _orthonormal(basis)
    projected = basis.T @ sparse.times(basis)
    values, vectors = np.linalg.eigh(0.5 * (projected + projected.T))
    order = np.argsort(-values, kind="stable")[:count]
    return values[order], basis @ vectors[:, order]


def spectral_embedding(affinity: FloatArray, count: int) -> tuple[FloatArray, FloatArray]:
    """(the `count` leading eigenvalues in decreasing order, their eigenvectors as columns) of the
    normalised affinity D^-1/2 W D^-1/2."""
    degree = affinity.sum(axis=1)
    scale = np.where(degree > 0, 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0)), 0.0)
    normalised = affinity * scale[:, None] * scale[None, :]
    return leading_eigenpairs(normalised, count)


def unit_rows(matrix: FloatArray) -> FloatArray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: FloatArray = np.where(norms > 1e-12, matrix / np.where(norms > 1e-12, norms, 1.0), 0.0)
    return unit


def choose_group_count(eigenvalues: FloatArray, low: int, high: int, separated: float) -> int:
    """The number of groups: every eigenvalue of at least `separated` is a part of the graph nearly cut
    off from the rest (k disconnected parts give k eigenvalues of exactly 1), so there are at least that
    many points; never fewer than `low` (what the caller will show) nor more than `high`."""
    parts = int((eigenvalues >= separated).sum())
    return max(1, min(max(low, parts), high, len(eigenvalues)))


def _kmeans_pp_seeds(points: FloatArray, count: int, density: FloatArray, rng: np.random.Generator) -> list[int]:
    weights = np.clip(density, 1e-12, None)
    first = int(rng.choice(len(points), p=weights / weights.sum()))
    seeds = [first]
    closest = points @ points[first]
    while len(seeds) < count:
        distance = np.clip(1.0 - closest, 0.0, None)
        chances = weights * distance * distance
        chances[seeds] = 0.0
        total = float(chances.sum())
        if total <= 1e-12:
            break  # every remaining point sits on a seed: fewer distinct groups than asked for
        seed = int(rng.choice(len(points), p=chances / total))
        seeds.append(seed)
        closest = np.maximum(closest, points @ points[seed])
    return seeds


def spherical_kmeans(
    points: FloatArray, count: int, density: FloatArray, *, restarts: int = RESTARTS
) -> tuple[IntArray, float]:
    """(label per point, objective) of the best of `restarts` seeded spherical k-means runs on unit rows.

    Labels are 0..k-1 with k <= count (fewer when the points have fewer distinct positions)."""
    rng = np.random.default_rng(RANDOM_SEED)
    best_labels = np.zeros(len(points), dtype=np.int64)
    best_objective = -np.inf
    for _ in range(max(1, restarts)):
        seeds = _kmeans_pp_seeds(points, count, density, rng)
        centres = points[seeds].copy()
        labels = np.zeros(len(points), dtype=np.int64)
        for iteration in range(MAX_ITERATIONS):
            similarities = points @ centres.T
            new_labels = similarities.argmax(axis=1).astype(np.int64)
            if iteration and np.array_equal(new_labels, labels):
                break
            labels = new_labels
            membership = (labels[:, None] == np.arange(len(centres))[None, :]).astype(np.float64)
            sums = membership.T @ points
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            # An emptied centre keeps its place rather than vanishing mid-run.
            centres = np.where(norms > 1e-12, sums / np.where(norms > 1e-12, norms, 1.0), centres)
        objective = float((points @ centres.T)[np.arange(len(points)), labels].sum())
        if objective > best_objective + 1e-9:
            best_objective, best_labels = objective, labels
    _, compact = np.unique(best_labels, return_inverse=True)
    return compact.astype(np.int64), best_objective


def spectral_groups(
    similarity: FloatArray,
    density: FloatArray,
    *,
    neighbours: int,
    low: int,
    high: int,
    separated: float,
    min_group_size: int = 1,
) -> list[IntArray]:
    """Groups (arrays of row indexes) partitioning the rows of `similarity` that have any neighbour.

    The number of groups is chosen by `choose_group_count` in [low, high], with `low` lowered to what
    the linked rows allow at `min_group_size` rows per group and `high` to half of them;
    `density` weighs where k-means seeds are drawn (dense, multi-author regions)."""
    connected = np.flatnonzero((np.clip(similarity, 0.0, None) - np.diag(np.diag(similarity))).max(axis=1) > 0)
    size = len(connected)
    if size < 2:
        return []
    sub = similarity[np.ix_(connected, connected)]
    affinity = knn_affinity(sub, min(neighbours, size - 1))
    high = max(1, min(high, size // 2))
    # Asking for `low` groups only makes sense when each could hold `min_group_size` sentences.
    low = max(1, min(low, size // max(1, min_group_size), high))
    eigenvalues, eigenvectors = spectral_embedding(affinity, high + 1)
    count = choose_group_count(eigenvalues, low, high, separated)
    embedded = unit_rows(eigenvectors[:, :count])
    labels, _ = spherical_kmeans(embedded, count, density[connected])
    return [connected[labels == label] for label in range(int(labels.max()) + 1)]
