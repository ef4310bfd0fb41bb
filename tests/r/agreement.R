# Agreement reference values: psych::cohen.kappa and psych::ICC on published data, and the
# formulas of the published papers computed directly in R where psych has none (Fleiss' kappa,
# Bland-Altman) or is wrong (psych 2.2.9's variance of weighted kappa: the Fleiss, Cohen &
# Everitt 1969 large-sample variance is computed here from its formula).
# Writes the raw ratings (agreement_*_data.csv) and the results (agreement.csv).
# Run from the repository root: Rscript tests/r/agreement.R
suppressPackageStartupMessages(library(psych))
out <- list()
put <- function(case, statistic, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, statistic = statistic,
                                        value = sprintf("%.15g", value))
}
here <- "tests/r"

# Two raters' ratings from a k x k table of counts (rows rater 1, columns rater 2).
expand <- function(counts) {
  k <- nrow(counts)
  r1 <- rep(rep(1:k, times = k), times = as.vector(t(counts))[order(rep(1:k, each = k))])
  idx <- which(counts > 0, arr.ind = TRUE)
  idx <- idx[order(idx[, 1], idx[, 2]), , drop = FALSE]
  data.frame(rater1 = rep(idx[, 1], counts[idx]), rater2 = rep(idx[, 2], counts[idx]))
}

# Fleiss, Cohen & Everitt (1969), Psychol Bull 72:323, large-sample variance of weighted kappa
# (w = agreement weights, 1 on the diagonal); the null variance gives the z test.
fce <- function(counts, w) {
  n <- sum(counts); p <- counts / n
  pr <- rowSums(p); pc <- colSums(p)
  po <- sum(w * p); pe <- sum(w * outer(pr, pc))
  kappa <- (po - pe) / (1 - pe)
  wr <- as.vector(w %*% pc); wc <- as.vector(t(w) %*% pr)
  a <- sum(p * (w - outer(wr, wc, "+") * (1 - kappa))^2)
  var <- (a - (kappa - pe * (1 - kappa))^2) / (n * (1 - pe)^2)
  var0 <- (sum(outer(pr, pc) * (w - outer(wr, wc, "+"))^2) - pe^2) / (n * (1 - pe)^2)
  c(kappa = kappa, se = sqrt(var), se0 = sqrt(var0))
}

kappa_case <- function(name, counts) {
  d <- expand(counts)
  stopifnot(all(table(d$rater1, d$rater2) == counts))
  write.csv(d, file.path(here, sprintf("agreement_%s_data.csv", name)), row.names = FALSE)
  k <- nrow(counts)
  dist <- abs(outer(1:k, 1:k, "-"))
  weights <- list(none = diag(k), linear = 1 - dist / (k - 1), quadratic = 1 - dist^2 / (k - 1)^2)
  for (wname in names(weights)) {
    # psych takes disagreement weights (0 on the diagonal) and rescales them to 1 - w / max(w)
    ck <- cohen.kappa(d, w = if (wname == "none") NULL else dist^(if (wname == "linear") 1 else 2))
    f <- fce(counts, weights[[wname]])
    psych_kappa <- if (wname == "none") ck$kappa else ck$weighted.kappa
    put(name, sprintf("%s_kappa_psych", wname), psych_kappa)
    put(name, sprintf("%s_kappa", wname), f[["kappa"]])
    put(name, sprintf("%s_se", wname), f[["se"]])
    put(name, sprintf("%s_se0", wname), f[["se0"]])
    put(name, sprintf("%s_p", wname), 2 * pnorm(-abs(f[["kappa"]] / f[["se0"]])))
    # psych's own variance: right for unweighted kappa, wrong for weighted (kept for the record)
    put(name, sprintf("%s_se_psych", wname),
        sqrt(if (wname == "none") ck$var.kappa else ck$var.weighted))
  }
  put(name, "percent_agreement", 100 * sum(diag(counts)) / sum(counts))
}

# Cohen (1968), Psychol Bull 70:213: the proportions of ?cohen.kappa's example, n = 200.
kappa_case("cohen1968", matrix(c(88, 14, 18, 10, 40, 10, 2, 6, 12), 3, byrow = TRUE))
# Fleiss, Cohen & Everitt (1969): the counts of ?cohen.kappa's `fleiss` example, n = 200.
kappa_case("fce1969", matrix(c(106, 10, 4, 22, 28, 10, 2, 12, 6), 3, byrow = TRUE))

# Fleiss (1971), Psychol Bull 76:378, Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses
# (depression, personality disorder, schizophrenia, neurosis, other); published kappa = .430.
fleiss <- matrix(c(
  0,0,0,6,0, 0,3,0,0,3, 0,1,4,0,1, 0,0,0,0,6, 0,3,0,3,0, 2,0,4,0,0, 0,0,4,0,2, 2,0,3,1,0,
  2,0,0,4,0, 0,0,0,0,6, 1,0,0,5,0, 1,1,0,4,0, 0,3,3,0,0, 1,0,0,5,0, 0,2,0,3,1, 0,0,5,0,1,
  3,0,0,1,2, 5,1,0,0,0, 0,2,0,4,0, 1,0,2,0,3, 0,0,0,0,6, 0,1,0,5,0, 0,2,0,1,3, 2,0,0,4,0,
  1,0,0,4,1, 0,5,0,1,0, 4,0,0,0,2, 0,2,0,4,0, 1,0,5,0,0, 0,0,0,0,6), ncol = 5, byrow = TRUE)
stopifnot(all(rowSums(fleiss) == 6))
ratings <- t(apply(fleiss, 1, function(row) rep(1:5, row)))
colnames(ratings) <- paste0("psychiatrist", 1:6)
write.csv(ratings, file.path(here, "agreement_fleiss1971_data.csv"), row.names = FALSE)
n <- nrow(fleiss); m <- 6
pj <- colSums(fleiss) / (n * m); qj <- 1 - pj
pbar <- mean((rowSums(fleiss^2) - m) / (m * (m - 1))); pe <- sum(pj^2)
kappa <- (pbar - pe) / (1 - pe)
# Fleiss, Nee & Landis (1979) null variance, as irr::kappam.fleiss
se0 <- sqrt(2 * (sum(pj * qj)^2 - sum(pj * qj * (qj - pj))) / (sum(pj * qj)^2 * n * m * (m - 1)))
put("fleiss1971", "fleiss_kappa", kappa)
put("fleiss1971", "fleiss_se0", se0)
put("fleiss1971", "fleiss_p", 2 * pnorm(-abs(kappa / se0)))
put("fleiss1971", "percent_agreement", 100 * mean(apply(fleiss, 1, max) == m))

icc_case <- function(name, x) {
  r <- ICC(x, lmer = FALSE)$results
  for (i in seq_len(nrow(r))) {
    for (col in c("ICC", "F", "df1", "df2", "p", "lower bound", "upper bound")) {
      put(name, sprintf("%s_%s", r$type[i], sub(" bound", "", col)), r[i, col])
    }
  }
}
# Shrout & Fleiss (1979), Psychol Bull 86:420, Table 2 (?ICC): 6 targets, 4 judges; published
# ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.
sf <- matrix(c(9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7),
             ncol = 4, byrow = TRUE)
colnames(sf) <- paste0("J", 1:4)
write.csv(sf, file.path(here, "agreement_sf_data.csv"), row.names = FALSE)
icc_case("sf", sf)

# Bland & Altman (1986), Lancet i:307, Table 1: peak expiratory flow (l/min) of 17 subjects,
# first reading with the Wright and the mini Wright meter; published mean difference -2.1,
# SD 38.8, limits (mean +- 2 SD) -79.7 to 75.5.
pefr <- data.frame(
  wright = c(494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427),
  mini = c(512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451))
write.csv(pefr, file.path(here, "agreement_pefr_data.csv"), row.names = FALSE)
icc_case("pefr", as.matrix(pefr))
d <- pefr$mini - pefr$wright; a <- (pefr$mini + pefr$wright) / 2
n <- length(d); bias <- mean(d); s <- sd(d); z <- qnorm(0.975); t <- qt(0.975, n - 1)
put("pefr", "bias", bias)
put("pefr", "sd", s)
put("pefr", "bias_ci_low", bias - t * s / sqrt(n))
put("pefr", "bias_ci_high", bias + t * s / sqrt(n))
for (side in c(-1, 1)) {
  lim <- bias + side * z * s
  tag <- if (side < 0) "lower" else "upper"
  put("pefr", sprintf("%s_loa", tag), lim)
  # Bland & Altman (1999), Stat Methods Med Res 8:135: SE of a limit ~ sqrt(3 s^2 / n)
  put("pefr", sprintf("%s_ci_low", tag), lim - t * sqrt(3 * s^2 / n))
  put("pefr", sprintf("%s_ci_high", tag), lim + t * sqrt(3 * s^2 / n))
  # exact (Carkeet 2015, Optom Vis Sci 92:e71): non-central t with ncp z sqrt(n)
  q <- qt(c(0.025, 0.975), n - 1, ncp = z * sqrt(n)) / sqrt(n)
  ends <- if (side < 0) bias - s * rev(q) else bias + s * q
  put("pefr", sprintf("%s_exact_low", tag), ends[1])
  put("pefr", sprintf("%s_exact_high", tag), ends[2])
}
fit <- summary(lm(d ~ a))$coefficients
put("pefr", "slope", fit["a", "Estimate"])
put("pefr", "slope_se", fit["a", "Std. Error"])
put("pefr", "slope_p", fit["a", "Pr(>|t|)"])
put("pefr", "intercept", fit["(Intercept)", "Estimate"])

write.csv(do.call(rbind, out), file.path(here, "agreement.csv"), row.names = FALSE, quote = FALSE)
