# Propensity-score reference values on MatchIt's lalonde data (614 men, 185 treated):
# the propensity model (glm), MatchIt's 1:1 nearest-neighbour match without a caliper
# (largest score first) and its balance summary, effects in the matched sample with
# cluster-robust SEs (sandwich::vcovCL by pair), IPTW weights (ATE, ATT, stabilised,
# truncated) with balance by MatchIt's own formulas and effects by survey::svyglm.
# MatchIt 4.5.1 on Debian rounds distances in its matcher, so its caliper pairs are not used:
# the tests check caliper matching against a brute-force greedy matcher instead.
# Writes the data (propensity_lalonde.csv) and the results (propensity.csv).
# Run from the repository root: Rscript tests/r/propensity.R
suppressPackageStartupMessages({
  library(MatchIt); library(survey); library(sandwich); library(lmtest)
})
here <- "tests/r"
out <- list()
put <- function(case, statistic, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, statistic = statistic,
                                        value = sprintf("%.15g", value))
}
data("lalonde", package = "MatchIt")
d <- lalonde
d$race <- as.character(d$race)
d$employed78 <- as.integer(d$re78 > 0)
write.csv(d, file.path(here, "propensity_lalonde.csv"), row.names = FALSE)
d$race <- factor(d$race, levels = c("black", "hispan", "white"))
f <- treat ~ age + educ + race + married + nodegree + re74 + re75

# The propensity model.
ps_fit <- glm(f, data = d, family = binomial)
cf <- summary(ps_fit)$coefficients
for (term in rownames(cf)) {
  put("model", paste0("coef:", term), cf[term, 1])
  put("model", paste0("se:", term), cf[term, 2])
}
ps <- fitted(ps_fit)
r <- rank(ps)
n1 <- sum(d$treat); n0 <- sum(1 - d$treat)
put("model", "c_statistic", (sum(r[d$treat == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0))
put("model", "sd_logit", sd(qlogis(ps)))
for (i in seq_along(ps)) put("ps", as.character(i), ps[i])

covs <- c("age", "educ", "raceblack", "racehispan", "racewhite", "married", "nodegree",
          "re74", "re75")
X <- cbind(d[, c("age", "educ")], model.matrix(~ race - 1, d), d[, c("married", "nodegree",
           "re74", "re75")])

# MatchIt 1:1 nearest neighbour on the logit, largest first, without a caliper.
m <- matchit(f, data = d, method = "nearest", distance = "glm", link = "linear.logit",
             m.order = "largest", ratio = 1, replace = FALSE)
mm <- m$match.matrix
# pairs as data positions (1-based): treated -> its control
for (i in seq_len(nrow(mm))) {
  put("pairs", match(rownames(mm)[i], rownames(d)), match(mm[i, 1], rownames(d)))
}
s <- summary(m, standardize = TRUE)
for (v in covs) {
  put("balance_all", paste0("smd:", v), s$sum.all[v, "Std. Mean Diff."])
  put("balance_all", paste0("vr:", v), s$sum.all[v, "Var. Ratio"])
  put("balance_matched", paste0("smd:", v), s$sum.matched[v, "Std. Mean Diff."])
  put("balance_matched", paste0("vr:", v), s$sum.matched[v, "Var. Ratio"])
}
md <- match.data(m)
fit <- lm(re78 ~ treat, data = md, weights = weights)
ct <- coeftest(fit, vcov. = vcovCL, cluster = ~subclass)
put("matched", "md_estimate", ct["treat", 1]); put("matched", "md_se", ct["treat", 2])
fit <- glm(employed78 ~ treat, data = md, weights = weights, family = quasibinomial)
ct <- coeftest(fit, vcov. = vcovCL, cluster = ~subclass)
put("matched", "logor_estimate", ct["treat", 1]); put("matched", "logor_se", ct["treat", 2])
fit <- lm(employed78 ~ treat, data = md, weights = weights)
ct <- coeftest(fit, vcov. = vcovCL, cluster = ~subclass)
put("matched", "rd_estimate", ct["treat", 1]); put("matched", "rd_se", ct["treat", 2])

# IPTW.
p1 <- mean(d$treat)
weights <- list(
  ate = ifelse(d$treat == 1, 1 / ps, 1 / (1 - ps)),
  ate_stabilised = ifelse(d$treat == 1, p1 / ps, (1 - p1) / (1 - ps)),
  att = ifelse(d$treat == 1, 1, ps / (1 - ps))
)
w <- weights$ate_stabilised
q <- quantile(w, c(0.01, 0.99))  # type 7, R's default
weights$ate_truncated <- pmin(pmax(w, q[1]), q[2])
for (name in names(weights)) {
  w <- weights[[name]]
  case <- paste0("iptw_", name)
  for (i in c(1, 2, 100, 200, 400, 614)) put(case, paste0("w:", i), w[i])
  for (g in 0:1) {
    wg <- w[d$treat == g]
    put(case, paste0("ess:", g), sum(wg)^2 / sum(wg^2))
  }
  denom <- if (name == "att") "treated" else "pooled"
  for (v in covs) {
    b <- MatchIt:::bal1var(X[[v]], d$treat, ww = w, s.weights = rep(1, nrow(d)),
                           s.d.denom = denom, standardize = TRUE, compute.pair.dist = FALSE)
    put(case, paste0("smd:", v), b["Std. Mean Diff."])
    put(case, paste0("vr:", v), b["Var. Ratio"])
  }
  d$w <- w
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  fit <- svyglm(re78 ~ treat, design = des)
  put(case, "md_estimate", coef(fit)["treat"]); put(case, "md_se", SE(fit)["treat"])
  fit <- svyglm(employed78 ~ treat, design = des, family = quasibinomial)
  put(case, "logor_estimate", coef(fit)["treat"]); put(case, "logor_se", SE(fit)["treat"])
  fit <- svyglm(employed78 ~ treat, design = des)
  put(case, "rd_estimate", coef(fit)["treat"]); put(case, "rd_se", SE(fit)["treat"])
}
write.csv(do.call(rbind, out), file.path(here, "propensity.csv"), row.names = FALSE)

# Time to event: survival::lung, treatment = female sex (sex 2), covariates age and ph.ecog,
# complete cases; IPTW (ATE, stabilised) and MatchIt's 1:1 pairs (no caliper), Cox models of
# the treatment with case weights and robust (cluster by pair) SEs, Efron and Breslow ties.
lung <- survival::lung[, c("time", "status", "sex", "age", "ph.ecog")]
lung <- lung[complete.cases(lung), ]
lung$female <- as.integer(lung$sex == 2)
lung$dead <- as.integer(lung$status == 2)
rownames(lung) <- NULL
write.csv(lung[, c("time", "dead", "female", "age", "ph.ecog")],
          file.path(here, "propensity_lung.csv"), row.names = FALSE)
out2 <- list()
put2 <- function(statistic, value) {
  out2[[length(out2) + 1]] <<- data.frame(case = "lung", statistic = statistic,
                                          value = sprintf("%.15g", value))
}
ps <- fitted(glm(female ~ age + ph.ecog, data = lung, family = binomial))
p1 <- mean(lung$female)
lung$w <- ifelse(lung$female == 1, p1 / ps, (1 - p1) / (1 - ps))
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(time, dead) ~ female, data = lung, weights = w, robust = TRUE, ties = ties)
  put2(paste0("iptw_", ties, "_coef"), coef(fit)); put2(paste0("iptw_", ties, "_se"), sqrt(fit$var))
}
m <- matchit(female ~ age + ph.ecog, data = lung, method = "nearest", m.order = "largest",
             link = "linear.logit")
md <- match.data(m)
fit <- coxph(Surv(time, dead) ~ female, data = md, weights = weights, cluster = subclass)
put2("matched_efron_coef", coef(fit)); put2("matched_efron_se", sqrt(fit$var))
mm <- m$match.matrix
for (i in seq_len(nrow(mm))) put2(paste0("pair:", rownames(mm)[i]), as.integer(mm[i, 1]))
write.csv(do.call(rbind, out2), file.path(here, "propensity_lung_cox.csv"), row.names = FALSE)
