"""One draw of a variable's missing values given the others, as mice's univariate methods.

`pmm` (mice.impute.pmm): a Bayesian linear regression's parameters are drawn, each missing
row's prediction is matched to the `donors` observed rows with the nearest predictions from
the fitted coefficients (type 1 matching) and one donor's observed value is taken, so only
observed values are ever imputed. `logreg` (mice.impute.logreg): a logistic regression's
coefficients are drawn from their normal approximation and each missing row drawn 0/1.
`polyreg` (mice.impute.polyreg): a multinomial logistic regression, one category drawn per
missing row from its probabilities (its coefficients drawn first, as for logreg; mice uses
the fitted ones). The small ridge mice adds (1e-5 times the diagonal)
keeps collinear or separated predictors estimable.
"""

from __future__ import annotations

import numpy as np

RIDGE = 1e-5
DONORS = 5


def pmm(y: np.ndarray, x_obs: np.ndarray, x_mis: np.ndarray, rng: np.random.Generator):
    """Values for the missing rows drawn from the observed y (predictive mean matching)."""
    n, p = x_obs.shape
    xtx = x_obs.T @ x_obs
    xtx = xtx + RIDGE * np.diag(np.diag(xtx) + (np.diag(xtx) == 0))
    inverse = np.linalg.inv(xtx)
    coef = inverse @ x_obs.T @ y
    residual = y - x_obs @ coef
    df = max(n - p, 1)
    sigma = np.sqrt(residual @ residual / rng.chisquare(df))
    chol = np.linalg.cholesky((inverse + inverse.T) / 2)
    drawn = coef + sigma * chol @ rng.standard_normal(p)
    fitted = x_obs @ coef
    wanted = x_mis @ drawn
    order = np.argsort(fitted, kind="stable")
    sorted_fit = fitted[order]
    # The d nearest of the observed predictions lie within d places either side of each
    # missing row's position in the sorted predictions: look there only.
    d = min(DONORS, n)
    position = np.searchsorted(sorted_fit, wanted)
    window = position[:, None] + np.arange(-d, d)[None, :]
    window = np.clip(window, 0, n - 1)
    distance = np.abs(sorted_fit[window] - wanted[:, None])
    distance += rng.uniform(0, 1e-9, distance.shape)  # ties broken at random, as mice
    nearest = np.argsort(distance, axis=1)[:, :d]
    pick = nearest[np.arange(len(wanted)), rng.integers(0, d, len(wanted))]
    return y[order[window[np.arange(len(wanted)), pick]]]


def _logistic_fit(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge-stabilised Newton fit of a logistic regression: coefficients and covariance."""
    p = x.shape[1]
    penalty = RIDGE * max(1.0, float(np.mean(np.sum(x * x, axis=0))))
    coef = np.zeros(p)
    for _ in range(50):
        eta = np.clip(x @ coef, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        info = x.T @ (x * w[:, None]) + penalty * np.eye(p)
        step = np.linalg.solve(info, x.T @ (y - mu) - penalty * coef)
        coef = coef + step
        if np.max(np.abs(step)) < 1e-8:
            break
    eta = np.clip(x @ coef, -30, 30)
    mu = 1 / (1 + np.exp(-eta))
    info = x.T @ (x * (mu * (1 - mu))[:, None]) + penalty * np.eye(p)
    return coef, np.linalg.inv(info)


def logreg(y: np.ndarray, x_obs: np.ndarray, x_mis: np.ndarray, rng: np.random.Generator):
    """0/1 values for the missing rows (coefficients drawn, then each row drawn)."""
    coef, covariance = _logistic_fit(y, x_obs)
    chol = np.linalg.cholesky((covariance + covariance.T) / 2)
    drawn = coef + chol @ rng.standard_normal(len(coef))
    prob = 1 / (1 + np.exp(-np.clip(x_mis @ drawn, -30, 30)))
    return (rng.uniform(size=len(prob)) <= prob).astype(float)


def _multinomial_fit(y: np.ndarray, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Ridge-stabilised Newton fit of a multinomial logistic regression, category 0 the
    reference: coefficients (p x (k - 1), flattened by column) and their covariance."""
    n, p = x.shape
    target = (y[:, None] == np.arange(1, k)[None, :]).astype(float)
    penalty = RIDGE * max(1.0, float(np.mean(np.sum(x * x, axis=0))))
    coef = np.zeros((p, k - 1))
    for _ in range(50):
        prob = _softmax(x @ coef)
        gradient = (x.T @ (target - prob)).ravel(order="F") - penalty * coef.ravel(order="F")
        info = _multinomial_information(x, prob) + penalty * np.eye(p * (k - 1))
        step = np.linalg.solve(info, gradient)
        coef = coef + step.reshape((p, k - 1), order="F")
        if np.max(np.abs(step)) < 1e-8:
            break
    info = _multinomial_information(x, _softmax(x @ coef)) + penalty * np.eye(p * (k - 1))
    return coef.ravel(order="F"), np.linalg.inv(info)


def _softmax(eta: np.ndarray) -> np.ndarray:
    """Probabilities of categories 1..k-1 given their linear predictors (category 0 at 0)."""
    eta = np.clip(eta, -30, 30)
    top = np.maximum(eta.max(axis=1, keepdims=True), 0)
    expd = np.exp(eta - top)
    return expd / (np.exp(-top) + expd.sum(axis=1, keepdims=True))


def _multinomial_information(x: np.ndarray, prob: np.ndarray) -> np.ndarray:
    p, c = x.shape[1], prob.shape[1]
    info = np.empty((p * c, p * c))
    for a in range(c):
        for b in range(a, c):
            w = prob[:, a] * ((a == b) - prob[:, b])
            block = x.T @ (x * w[:, None])
            info[a * p : (a + 1) * p, b * p : (b + 1) * p] = block
            info[b * p : (b + 1) * p, a * p : (a + 1) * p] = block.T
    return info


def polyreg(y: np.ndarray, x_obs: np.ndarray, x_mis: np.ndarray, rng: np.random.Generator, k: int):
    """Category codes 0..k-1 for the missing rows: coefficients drawn, then each row drawn."""
    coef, covariance = _multinomial_fit(y, x_obs, k)
    chol = np.linalg.cholesky((covariance + covariance.T) / 2)
    drawn = (coef + chol @ rng.standard_normal(len(coef))).reshape(
        (x_obs.shape[1], k - 1), order="F"
    )
    rest = _softmax(x_mis @ drawn)
    prob = np.column_stack([1 - rest.sum(axis=1), rest])
    cumulative = np.cumsum(prob, axis=1)
    draw = rng.uniform(size=(len(x_mis), 1))
    return np.minimum((draw > cumulative).sum(axis=1), k - 1).astype(float)
