# Spearman's rank correlation test as R's cor.test(x, y, method = "spearman") reports it:
# AS 89 without ties for n <= 1290 (exact for n <= 9, Edgeworth series above), else the
# t approximation. Writes the data (spearman_data.csv) and the results (spearman.csv).
# Run from the repository root: Rscript tests/r/spearman.R
set.seed(20240607)
cases <- list()
add <- function(name, x, y) cases[[name]] <<- list(x = x, y = y)

# ?cor.test (Hollander & Wolfe 1973, p. 187): n = 9, no ties, S = 48, p = 0.0968.
add("hollander_wolfe",
    c(44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1),
    c( 2.6,  3.1,  2.5,  5.0,  3.6,  4.0,  5.2,  2.8,  3.8))
for (n in 4:12) {  # no ties, around the exact / Edgeworth switch at n = 10
  x <- round(rnorm(n), 3)
  add(sprintf("positive_n%d", n), x, round(x + rnorm(n), 3))
  add(sprintf("negative_n%d", n), x, round(-x + rnorm(n, sd = 1.5), 3))
}
add("perfect_n5", 1:5, c(2, 4, 6, 8, 10))
add("reversed_n7", 1:7, 7:1)
add("null_n9", 1:9, c(5, 1, 9, 3, 7, 2, 8, 4, 6))
add("ties_n8", c(1, 2, 2, 3, 4, 5, 5, 6), c(2, 1, 3, 3, 5, 4, 7, 6))
x <- round(rnorm(30), 1)
add("ties_n30", x, round(x + rnorm(30), 1))
for (n in c(60, 200)) {  # Edgeworth series well above the switch
  x <- round(rnorm(n), 6)
  add(sprintf("edgeworth_n%d", n), x, round(0.2 * x + rnorm(n), 6))
}
for (n in c(1290, 1291)) {  # the AS 89 / t switch, no ties: x = 1..n, y a permutation
  add(sprintf("permutation_n%d", n), 1:n, sample(n))
}
add("ties_n1290", 1:1290, sample(600, 1290, replace = TRUE))

fmt <- function(v) sprintf("%.15g", v)
data <- do.call(rbind, lapply(names(cases), function(name) {
  data.frame(case = name, x = fmt(cases[[name]]$x), y = fmt(cases[[name]]$y))
}))
results <- do.call(rbind, lapply(names(cases), function(name) {
  x <- cases[[name]]$x
  y <- cases[[name]]$y
  test <- suppressWarnings(cor.test(x, y, method = "spearman"))
  data.frame(
    case = name, n = length(x),
    ties = min(length(unique(x)), length(unique(y))) < length(x),
    rho = fmt(test$estimate), S = fmt(test$statistic), p_value = fmt(test$p.value)
  )
}))
write.csv(data, "tests/r/spearman_data.csv", row.names = FALSE, quote = FALSE)
write.csv(results, "tests/r/spearman.csv", row.names = FALSE, quote = FALSE)
print(results)
