# AIC and BIC of linear models, as R reports them: AIC(lm) and BIC(lm) count the residual
# variance as a parameter (df = rank + 1). Writes regression_lm.csv beside this script.
# Run from the repository root: Rscript tests/r/regression_lm.R
data_dir <- "tests/data"
out <- "tests/r/regression_lm.csv"

warpbreaks <- read.csv(file.path(data_dir, "warpbreaks.csv"), stringsAsFactors = TRUE)
quine <- read.csv(file.path(data_dir, "quine.csv"), stringsAsFactors = TRUE)
lung <- read.csv(file.path(data_dir, "lung.csv"), na.strings = ".")

models <- list(
  list(data = "warpbreaks", frame = warpbreaks, formula = breaks ~ wool + tension),
  list(data = "quine", frame = quine, formula = Days ~ Eth + Sex + Age + Lrn),
  # Missing values in wt.loss and ph.ecog: lm drops incomplete rows (na.omit).
  list(data = "lung", frame = lung, formula = wt.loss ~ age + sex + ph.ecog)
)
rows <- lapply(models, function(m) {
  fit <- lm(m$formula, data = m$frame)
  ll <- logLik(fit)
  data.frame(
    data = m$data,
    formula = deparse(m$formula),
    n = nobs(fit),
    df = attr(ll, "df"),
    loglik = sprintf("%.15g", as.numeric(ll)),
    aic = sprintf("%.15g", AIC(fit)),
    bic = sprintf("%.15g", BIC(fit))
  )
})
write.csv(do.call(rbind, rows), out, row.names = FALSE)
cat(R.version.string, "\n")
print(read.csv(out))
