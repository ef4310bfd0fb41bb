# Crude (univariable) and adjusted Cox hazard ratios on R's lung data when the grouping
# variable and the covariates have different missing values. A crude HR uses every patient
# with that covariate (coxph on it alone); the adjusted model uses the complete cases of all
# its variables. Writes survival_crude_cox.csv beside this script.
# Run from the repository root: Rscript tests/r/survival_crude_cox.R
library(survival)
lung <- read.csv("tests/data/lung.csv", na.strings = ".")
lung$ph.ecog <- factor(lung$ph.ecog)  # levels 0 (reference), 1, 2, 3
lung$wt_grp <- factor(lung$wt_grp)    # "weight gain" (reference), "weight loss"

scenarios <- list(
  ecog = list(group = "ph.ecog", covariates = c("wt.loss", "meal.cal")),
  weight = list(group = "wt_grp", covariates = c("meal.cal", "ph.ecog", "age"))
)
fmt <- function(x) sprintf("%.15g", x)

hr_rows <- function(scenario, model, fit, variable, frame) {
  s <- summary(fit)
  terms <- rownames(s$coefficients)
  keep <- startsWith(terms, variable)
  level <- sub(variable, "", terms[keep], fixed = TRUE)
  data.frame(
    scenario = scenario, model = model, variable = variable, level = level,
    n = fit$n, events = fit$nevent,
    coef = fmt(s$coefficients[keep, "coef"]),
    se = fmt(s$coefficients[keep, "se(coef)"]),
    hr = fmt(s$conf.int[keep, "exp(coef)"]),
    ci_low = fmt(s$conf.int[keep, "lower .95"]),
    ci_high = fmt(s$conf.int[keep, "upper .95"]),
    p_value = fmt(s$coefficients[keep, "Pr(>|z|)"]),
    global_p = NA_character_
  )
}

# LR p of dropping one variable, refitted on the same patients.
lr_p <- function(fit, frame, variables, variable) {
  others <- setdiff(variables, variable)
  reduced <- if (length(others)) {
    coxph(reformulate(others, "Surv(time, status)"), data = frame)$loglik[2]
  } else {
    fit$loglik[1]
  }
  df <- sum(startsWith(names(coef(fit)), variable))
  pchisq(2 * (fit$loglik[2] - reduced), df, lower.tail = FALSE)
}

rows <- list()
for (name in names(scenarios)) {
  sc <- scenarios[[name]]
  variables <- c(sc$group, sc$covariates)
  for (v in variables) {
    fit <- coxph(reformulate(v, "Surv(time, status)"), data = lung)
    r <- hr_rows(name, "univariable", fit, v, lung)
    if (is.factor(lung[[v]])) r$global_p <- fmt(summary(fit)$logtest["pvalue"])
    rows[[length(rows) + 1]] <- r
  }
  complete <- lung[complete.cases(lung[, c("time", "status", variables)]), ]
  fit <- coxph(reformulate(variables, "Surv(time, status)"), data = complete)
  for (v in variables) {
    r <- hr_rows(name, "multivariable", fit, v, complete)
    if (is.factor(lung[[v]])) r$global_p <- fmt(lr_p(fit, complete, variables, v))
    rows[[length(rows) + 1]] <- r
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/r/survival_crude_cox.csv", row.names = FALSE)
print(out[, c("scenario", "model", "variable", "level", "n", "events", "hr", "p_value")])
