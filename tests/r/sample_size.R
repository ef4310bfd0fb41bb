# Sample size and power as R computes them: pwr 1.3 (pwr.2p.test, pwr.2p2n.test, pwr.t.test,
# pwr.t2n.test, pwr.r.test, pwr.chisq.test), stats::power.prop.test (normal approximation), and the
# probability of an event under exponential survival with uniform accrual that rms/Hmisc
# cpower prints. Each row: the inputs of one case and R's answer (`value`: n, power or a
# probability, as `target` says). No data. Run from the repository root:
# Rscript tests/r/sample_size.R
suppressMessages(library(pwr))
suppressMessages(library(Hmisc))
rows <- list()
add <- function(case, family, method, target, value, alpha = 0.05, sides = 2, power = NA, n = NA,
                p1 = NA, p2 = NA, difference = NA, sd = NA, ratio = 1, r = NA, w = NA,
                df = NA, hr = NA, median = NA, accrual = NA, follow_up = NA) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, family = family, method = method, target = target,
    alpha = alpha, sides = sides, power = power, n = n, p1 = p1, p2 = p2,
    difference = difference, sd = sd, ratio = ratio, r = r, w = w, df = df, hr = hr,
    median = median, accrual = accrual, follow_up = follow_up,
    value = sprintf("%.15g", value))
}
alt <- function(sides) if (sides == 2) "two.sided" else "greater"

# Two proportions: arcsine (Cohen's h) and the normal approximation.
for (x in list(c(0.4, 0.25, 0.8, 0.05, 2), c(0.1, 0.2, 0.9, 0.05, 2), c(0.5, 0.65, 0.8, 0.025, 1),
               c(0.03, 0.01, 0.8, 0.05, 2))) {
  h <- ES.h(x[1], x[2])
  s <- x[5]
  add("2p_n", "proportions", "arcsine", "n",
      pwr.2p.test(h = abs(h), power = x[3], sig.level = x[4], alternative = alt(s))$n,
      alpha = x[4], sides = s, power = x[3], p1 = x[1], p2 = x[2])
  add("2p_power", "proportions", "arcsine", "power",
      pwr.2p.test(h = abs(h), n = 120, sig.level = x[4], alternative = alt(s))$power,
      alpha = x[4], sides = s, n = 120, p1 = x[1], p2 = x[2])
  add("prop_n", "proportions", "normal", "n",
      power.prop.test(p1 = x[1], p2 = x[2], power = x[3], sig.level = x[4],
                      alternative = if (s == 2) "two.sided" else "one.sided")$n,
      alpha = x[4], sides = s, power = x[3], p1 = x[1], p2 = x[2])
  add("prop_power", "proportions", "normal", "power",
      power.prop.test(p1 = x[1], p2 = x[2], n = 120, sig.level = x[4],
                      alternative = if (s == 2) "two.sided" else "one.sided")$power,
      alpha = x[4], sides = s, n = 120, p1 = x[1], p2 = x[2])
}

# Two proportions in unequal groups (n2 = ratio * n1): pwr.2p2n.test's power.
for (x in list(c(0.4, 0.25, 2), c(0.1, 0.2, 0.5), c(0.3, 0.45, 3))) {
  add("2p2n_power", "proportions", "arcsine", "power",
      pwr.2p2n.test(h = abs(ES.h(x[1], x[2])), n1 = 60, n2 = 60 * x[3])$power,
      n = 60, ratio = x[3], p1 = x[1], p2 = x[2])
}

# Two means, independent and paired (t-based, noncentral t), and unequal groups.
for (x in list(c(5, 10, 0.8, 0.05, 2), c(0.3, 1, 0.9, 0.05, 2), c(2, 1.5, 0.8, 0.05, 1),
               c(-1.2, 2, 0.85, 0.01, 2))) {
  d <- x[1] / x[2]
  s <- x[5]
  for (type in c("two.sample", "paired")) {
    method <- if (type == "paired") "paired" else "independent"
    add("t_n", "means", method, "n",
        pwr.t.test(d = abs(d), power = x[3], sig.level = x[4], type = type,
                   alternative = alt(s))$n,
        alpha = x[4], sides = s, power = x[3], difference = x[1], sd = x[2])
    add("t_power", "means", method, "power",
        pwr.t.test(d = abs(d), n = 20, sig.level = x[4], type = type, alternative = alt(s))$power,
        alpha = x[4], sides = s, n = 20, difference = x[1], sd = x[2])
  }
  for (k in c(2, 0.5, 3)) {
    add("t2n_power", "means", "independent", "power",
        pwr.t2n.test(d = abs(d), n1 = 30, n2 = 30 * k, sig.level = x[4],
                     alternative = alt(s))$power,
        alpha = x[4], sides = s, n = 30, ratio = k, difference = x[1], sd = x[2])
  }
}

# Correlation (Fisher's z as pwr.r.test computes it).
for (x in list(c(0.3, 0.8, 0.05, 2), c(0.1, 0.9, 0.05, 2), c(-0.5, 0.8, 0.01, 2),
               c(0.25, 0.8, 0.05, 1))) {
  s <- x[4]
  add("r_n", "correlation", "", "n",
      pwr.r.test(r = abs(x[1]), power = x[2], sig.level = x[3], alternative = alt(s))$n,
      alpha = x[3], sides = s, power = x[2], r = x[1])
  add("r_power", "correlation", "", "power",
      pwr.r.test(r = abs(x[1]), n = 50, sig.level = x[3], alternative = alt(s))$power,
      alpha = x[3], sides = s, n = 50, r = x[1])
}

# Chi-square (effect size w, degrees of freedom).
for (x in list(c(0.3, 3, 0.8, 0.05), c(0.1, 1, 0.9, 0.05), c(0.5, 6, 0.8, 0.01))) {
  add("chisq_n", "chisq", "", "n",
      pwr.chisq.test(w = x[1], df = x[2], power = x[3], sig.level = x[4])$N,
      alpha = x[4], power = x[3], w = x[1], df = x[2])
  add("chisq_power", "chisq", "", "power",
      pwr.chisq.test(w = x[1], df = x[2], N = 100, sig.level = x[4])$power,
      alpha = x[4], n = 100, w = x[1], df = x[2])
}

# The probability of an event during a study (exponential survival, uniform accrual over
# `accrual`, then `follow_up`), as cpower prints it for each group. cpower takes the
# mortality by a reference time: with tref = the median, mc = 0.5, and the intervention's
# mortality by then 1 - 0.5^HR (cpower's r is the percentage reduction of that mortality).
for (x in list(c(12, 0.7, 24, 12), c(5, 0.5, 3, 2), c(30, 0.8, 0, 36))) {
  out <- capture.output(cpower(tref = x[1], n = 100, mc = 0.5, r = 100 * (1 - (1 - 0.5^x[2]) / 0.5),
                               accrual = x[3], tmin = x[4]))
  at <- grep("Probabilities of an Event", out)
  p <- as.numeric(strsplit(trimws(out[at + 2]), " +")[[1]])
  # cpower prints to 7 digits: recompute them at full precision with its own expression.
  lam <- log(2) / x[1] * c(1, x[2])
  full <- if (x[3] == 0) 1 - exp(-lam * x[4]) else
    1 - 1 / x[3] / lam * (exp(-x[4] * lam) - exp(-(x[4] + x[3]) * lam))
  stopifnot(all(abs(full - p) < 1e-6))
  add("event_p1", "logrank", "schoenfeld", "p_event_group1", full[1], hr = x[2], median = x[1],
      accrual = x[3], follow_up = x[4])
  add("event_p2", "logrank", "schoenfeld", "p_event_group2", full[2], hr = x[2], median = x[1],
      accrual = x[3], follow_up = x[4])
}

out <- do.call(rbind, rows)
write.csv(out, "tests/r/sample_size.csv", row.names = FALSE, na = "")
cat(sprintf("R %s, pwr %s, Hmisc %s: %d rows\n", getRversion(), packageVersion("pwr"),
            packageVersion("Hmisc"), nrow(out)))
