# Calibration and decision-curve reference values for analyses/calibration.py and
# analyses/decision_curve.py, on public data:
# - logistf::sex2 (tests/data/sex2.csv): urinary tract infection in 239 college women;
# - survival::lung (tests/data/lung.csv): NCCTG advanced lung cancer, death (status 2) as a
#   binary outcome, complete cases of age, sex, ph.ecog and wt.loss.
# Each case is a vector of outcomes y and predicted probabilities p (written to
# calibration_predictions.csv at full precision, so the tests need neither R nor a refit):
#   sex2_apparent  glm(case ~ .) on all 239, its own fitted probabilities (slope 1 by design)
#   sex2_split     fitted on the odd rows, predictions for the even rows (a validation)
#   sex2_shrunk    plogis(0.4 + 0.6 qlogis(p)) of sex2_apparent (miscalibrated on purpose)
#   lung_split     fitted on the first half of the complete cases, predicted on the second
# For each: rms::val.prob (Brier, Intercept, Slope, Emax, E90, Eavg, and its C, which is
# approximate), pROC::auc (the exact C), glm(y ~ offset(qlogis(p))) (calibration-in-the-large
# and its SE), the slope's SE from glm(y ~ qlogis(p)); written to calibration.csv.
# Net benefit (Vickers & Elkin 2006) at thresholds 1%..99%, by the formula computed directly,
# to calibration_dca.csv.
# Run from the repository root: Rscript tests/r/calibration.R
suppressMessages({
  library(rms)
  library(pROC)
})
read <- function(name) read.csv(file.path("tests/data", name), comment.char = "#", na.strings = c("", "."))
sex2 <- read("sex2.csv")
lung <- read("lung.csv")
lung$death <- as.integer(lung$status == 2)
lung <- lung[complete.cases(lung[, c("age", "sex", "ph.ecog", "wt.loss")]), ]

cases <- list()
f_all <- glm(case ~ age + oc + vic + vicl + vis + dia, family = binomial, data = sex2)
cases$sex2_apparent <- list(y = sex2$case, p = unname(fitted(f_all)))
odd <- seq(1, nrow(sex2), by = 2)
f_odd <- glm(case ~ age + oc + vic + vicl + vis + dia, family = binomial, data = sex2[odd, ])
cases$sex2_split <- list(y = sex2$case[-odd],
                         p = unname(predict(f_odd, sex2[-odd, ], type = "response")))
cases$sex2_shrunk <- list(y = sex2$case, p = plogis(0.4 + 0.6 * qlogis(unname(fitted(f_all)))))
half <- seq_len(nrow(lung) %/% 2)
f_lung <- glm(death ~ age + sex + ph.ecog + wt.loss, family = binomial, data = lung[half, ])
cases$lung_split <- list(y = lung$death[-half],
                         p = unname(predict(f_lung, lung[-half, ], type = "response")))

fmt <- function(x) sprintf("%.15g", x)
pred <- do.call(rbind, lapply(names(cases), function(k)
  data.frame(case = k, y = cases[[k]]$y, p = fmt(cases[[k]]$p))))
write.csv(pred, "tests/r/calibration_predictions.csv", row.names = FALSE, quote = FALSE)

rows <- list()
dca <- list()
thresholds <- (1:99) / 100
for (k in names(cases)) {
  y <- cases[[k]]$y
  p <- cases[[k]]$p
  v <- val.prob(p, y, pl = FALSE)
  citl <- glm(y ~ offset(qlogis(p)), family = binomial)
  slope <- glm(y ~ qlogis(p), family = binomial)
  values <- c(
    brier = v[["Brier"]], intercept = v[["Intercept"]], slope = v[["Slope"]],
    emax = v[["Emax"]], e90 = v[["E90"]], eavg = v[["Eavg"]], c_val_prob = v[["C (ROC)"]],
    c_exact = as.numeric(auc(y, p, quiet = TRUE, direction = "<")),
    citl = unname(coef(citl)[1]), citl_se = unname(sqrt(vcov(citl)[1, 1])),
    slope_se = unname(sqrt(vcov(slope)[2, 2])),
    scaled_brier = 1 - v[["Brier"]] / (mean(y) * (1 - mean(y)))
  )
  rows[[k]] <- data.frame(case = k, measure = names(values), value = fmt(values))
  n <- length(y)
  nb <- sapply(thresholds, function(t) {
    treated <- p >= t
    sum(treated & y == 1) / n - sum(treated & y == 0) / n * t / (1 - t)
  })
  all <- mean(y) - (1 - mean(y)) * thresholds / (1 - thresholds)
  dca[[k]] <- data.frame(case = k, threshold = thresholds, model = fmt(nb), treat_all = fmt(all))
}
write.csv(do.call(rbind, rows), "tests/r/calibration.csv", row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, dca), "tests/r/calibration_dca.csv", row.names = FALSE, quote = FALSE)
