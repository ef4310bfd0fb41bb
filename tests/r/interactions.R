# Interaction terms reported as effects per level (coefficient sums with CIs from the
# covariance matrix, Wald), their likelihood-ratio tests (anova of the models with and
# without the products, test = "LRT"), and subgroup models (the same model fitted within each
# level of the subgroup variable), for logistic (glm binomial), linear (lm), Poisson (glm)
# and Cox (coxph, Efron ties) models, on public data:
#   infert  (R datasets; Trichopoulos et al. 1976, induced abortion and infertility;
#            tests/data/infert.csv, written from datasets::infert if missing)
#   quine   (MASS; Quine 1975, days absent from school; tests/data/quine.csv)
#   warpbreaks (R datasets; Tippett 1950; tests/data/warpbreaks.csv)
#   lung, veteran (R survival; tests/data/lung.csv, tests/data/veteran.csv)
# Writes interactions.csv beside this script.
# Run from the repository root: Rscript tests/r/interactions.R
library(survival)
if (!file.exists("tests/data/infert.csv")) {
  write.csv(datasets::infert, "tests/data/infert.csv", row.names = FALSE)
}
infert <- read.csv("tests/data/infert.csv")
infert$education <- factor(infert$education, levels = c("0-5yrs", "6-11yrs", "12+ yrs"))
quine <- read.csv("tests/data/quine.csv", stringsAsFactors = TRUE)
warpbreaks <- read.csv("tests/data/warpbreaks.csv", stringsAsFactors = TRUE)
warpbreaks$tension <- factor(warpbreaks$tension, levels = c("H", "L", "M"))
lung <- read.csv("tests/data/lung.csv", na.strings = ".")
lung$sex <- factor(lung$sex)
lung <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.karno")]), ]
veteran <- read.csv("tests/data/veteran.csv", stringsAsFactors = TRUE)
fmt <- function(x) sprintf("%.15g", x)

fit_of <- function(family, formula, data) {
  switch(family,
    logistic = glm(formula, family = binomial, data = data),
    linear = lm(formula, data = data),
    poisson = glm(formula, family = poisson, data = data),
    cox = coxph(formula, data = data, ties = "efron")
  )
}
loglik <- function(fit) as.numeric(logLik(fit))

scenarios <- list(
  infert = list(family = "logistic", data = infert, lhs = "case", exposure = "spontaneous",
                exposure_terms = "spontaneous", modifier = "education",
                covariates = c("age", "parity")),
  quine = list(family = "linear", data = quine, lhs = "Days", exposure = "Sex",
               exposure_terms = "SexM", modifier = "Eth", covariates = c("Age", "Lrn")),
  warpbreaks = list(family = "poisson", data = warpbreaks, lhs = "breaks", exposure = "wool",
                    exposure_terms = "woolB", modifier = "tension", covariates = character()),
  lung = list(family = "cox", data = lung, lhs = "Surv(time, status)", exposure = "age",
              exposure_terms = "age", modifier = "sex", covariates = "ph.karno"),
  veteran = list(family = "cox", data = veteran, lhs = "Surv(time, status)", exposure = "trt",
                 exposure_terms = "trt", modifier = "celltype", covariates = "karno")
)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(...)
for (name in names(scenarios)) {
  s <- scenarios[[name]]
  d <- s$data
  rhs0 <- paste(c(s$exposure, s$modifier, s$covariates), collapse = " + ")
  reduced <- fit_of(s$family, as.formula(paste(s$lhs, "~", rhs0)), d)
  full <- fit_of(s$family, as.formula(paste(s$lhs, "~", rhs0, "+", s$exposure, ":",
                                            s$modifier)), d)
  lr <- 2 * (loglik(full) - loglik(reduced))
  df <- length(coef(full)) - length(coef(reduced))
  p_int <- pchisq(lr, df, lower.tail = FALSE)
  b <- coef(full)
  V <- vcov(full)
  crit <- if (s$family == "linear") qt(0.975, df.residual(full)) else qnorm(0.975)
  ratio <- s$family != "linear"
  levs <- levels(d[[s$modifier]])
  for (term in s$exposure_terms) {
    for (k in seq_along(levs)) {
      w <- setNames(rep(0, length(b)), names(b))
      w[term] <- 1
      if (k > 1) w[paste0(term, ":", s$modifier, levs[k])] <- 1
      est <- sum(w * b)
      se <- sqrt(drop(t(w) %*% V %*% w))
      z <- est / se
      p <- if (s$family == "linear") 2 * pt(-abs(z), df.residual(full)) else 2 * pnorm(-abs(z))
      tr <- if (ratio) exp else identity
      add(scenario = name, what = "interaction", term = term, modifier_level = levs[k],
          estimate = fmt(tr(est)), ci_low = fmt(tr(est - crit * se)),
          ci_high = fmt(tr(est + crit * se)), p_value = fmt(p), interaction_p = fmt(p_int),
          loglik = fmt(loglik(full)), n = NA)
    }
  }
  # Subgroups: the model of the outcome on the exposure and covariates within each level.
  rhs <- paste(c(s$exposure, s$covariates), collapse = " + ")
  for (k in seq_along(levs)) {
    sub <- d[d[[s$modifier]] == levs[k], ]
    f <- fit_of(s$family, as.formula(paste(s$lhs, "~", rhs)), sub)
    cf <- if (s$family == "cox") summary(f)$coefficients else summary(f)$coefficients
    crit_k <- if (s$family == "linear") qt(0.975, df.residual(f)) else qnorm(0.975)
    for (term in s$exposure_terms) {
      est <- coef(f)[term]
      se <- sqrt(vcov(f)[term, term])
      tr <- if (ratio) exp else identity
      add(scenario = name, what = "subgroup", term = term, modifier_level = levs[k],
          estimate = fmt(tr(est)), ci_low = fmt(tr(est - crit_k * se)),
          ci_high = fmt(tr(est + crit_k * se)), p_value = fmt(cf[term, ncol(cf)]),
          interaction_p = fmt(p_int), loglik = fmt(loglik(f)),
          n = if (s$family == "cox") f$n else nobs(f))
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/r/interactions.csv", row.names = FALSE)
print(out[, c("scenario", "what", "modifier_level", "estimate", "ci_low", "ci_high",
              "interaction_p", "n")])
