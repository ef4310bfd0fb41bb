# Rubin's rules as mice::pool() applies them, on per-imputation fits of nhanes2 (mice's own
# data: 25 patients, age in three groups, bmi, hyp, chl with missing values).
# Writes mi_pool_fits.csv (each imputation's coefficient, its variance and the complete-data
# degrees of freedom) and mi_pool.csv (pool()'s estimate, ubar, b, t, dfcom, df, riv, lambda,
# fmi). tests/unit/analyses/test_mi_pool.py feeds the first to analyses/mi_pool.py and
# compares with the second. Run from the repository root: Rscript tests/r/mi_pool.R
suppressMessages(library(mice))
out_fits <- "tests/r/mi_pool_fits.csv"
out_pool <- "tests/r/mi_pool.csv"
fmt <- function(x) sprintf("%.15g", x)

imp <- mice(nhanes2, m = 20, seed = 2026, printFlag = FALSE)
models <- list(
  linear = function(d) lm(chl ~ age + bmi, data = d),
  logistic = function(d) glm(hyp ~ age + bmi, family = binomial, data = d),
  poisson = function(d) glm(round(chl / 10) ~ age + bmi, family = poisson, data = d)
)
fits <- list()
pooled <- list()
for (name in names(models)) {
  fit <- with(imp, models[[name]](data.frame(mget(names(nhanes2)))))
  for (i in seq_along(fit$analyses)) {
    a <- fit$analyses[[i]]
    fits[[length(fits) + 1]] <- data.frame(
      model = name, imputation = i, term = names(coef(a)),
      estimate = fmt(coef(a)), variance = fmt(diag(vcov(a))),
      dfcom = df.residual(a)
    )
  }
  p <- pool(fit)$pooled
  pooled[[name]] <- data.frame(
    model = name, term = as.character(p$term), m = p$m,
    estimate = fmt(p$estimate), ubar = fmt(p$ubar), b = fmt(p$b), t = fmt(p$t),
    dfcom = p$dfcom, df = fmt(p$df), riv = fmt(p$riv), lambda = fmt(p$lambda),
    fmi = fmt(p$fmi)
  )
}
write.csv(do.call(rbind, fits), out_fits, row.names = FALSE)
write.csv(do.call(rbind, pooled), out_pool, row.names = FALSE)
