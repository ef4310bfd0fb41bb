# Stratified Cox models (a baseline hazard per stratum, Efron ties) and cox.zph on the
# stratified fit, on two public data sets of R's survival package: lung (tests/data/lung.csv,
# NCCTG lung cancer trial) and veteran (tests/data/veteran.csv, the Veterans' Administration
# lung cancer trial, Kalbfleisch & Prentice 1980; written from survival::veteran if missing).
# Writes survival_strata.csv beside this script.
# Run from the repository root: Rscript tests/r/survival_strata.R
library(survival)
if (!file.exists("tests/data/veteran.csv")) {
  write.csv(survival::veteran, "tests/data/veteran.csv", row.names = FALSE)
}
lung <- read.csv("tests/data/lung.csv", na.strings = ".")
lung$ph.ecog <- factor(lung$ph.ecog)
veteran <- read.csv("tests/data/veteran.csv")
fmt <- function(x) sprintf("%.15g", x)

scenarios <- list(
  lung_sex = list(data = lung, formula = Surv(time, status) ~ age + ph.karno + strata(sex)),
  lung_two = list(
    data = lung, formula = Surv(time, status) ~ age + ph.ecog + strata(sex, wt_grp)
  ),
  veteran_cell = list(
    data = veteran, formula = Surv(time, status) ~ trt + karno + age + strata(celltype)
  )
)
rows <- list()
add <- function(scenario, what, name, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    scenario = scenario, what = what, name = name, value = fmt(value)
  )
}
for (sc in names(scenarios)) {
  s <- scenarios[[sc]]
  fit <- coxph(s$formula, data = s$data, ties = "efron")
  co <- summary(fit)$coefficients
  for (term in rownames(co)) {
    add(sc, "coef", term, co[term, "coef"])
    add(sc, "se", term, co[term, "se(coef)"])
  }
  add(sc, "loglik", "null", fit$loglik[1])
  add(sc, "loglik", "fit", fit$loglik[2])
  add(sc, "n", "n", fit$n)
  add(sc, "n", "events", fit$nevent)
  zph <- cox.zph(fit)$table
  for (term in rownames(zph)) {
    add(sc, "zph_chisq", term, zph[term, "chisq"])
    add(sc, "zph_p", term, zph[term, "p"])
  }
}
# Stratified log-rank test of ECOG groups within sex (survdiff with strata()).
lr <- survdiff(Surv(time, status) ~ ph.ecog + strata(sex), data = lung)
add("lung_logrank", "logrank_chisq", "ph.ecog", lr$chisq)
for (k in seq_along(lr$n)) add("lung_logrank", "expected", names(lr$n)[k], sum(lr$exp[k, ]))
out <- do.call(rbind, rows)
write.csv(out, "tests/r/survival_strata.csv", row.names = FALSE)
print(out)
