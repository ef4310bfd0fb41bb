# Fisher's exact test on tables larger than 2 x 2, as R's fisher.test computes it (network
# algorithm, FEXACT, default workspace): tables from the PBC data used by Table 1
# (tests/data/table1_pbc.csv), the job satisfaction table of ?fisher.test, and small sparse
# and symmetric tables. Writes fisher_rxc.csv (counts row by row, ";" between rows).
# Run from the repository root: Rscript tests/r/fisher_rxc.R
pbc <- read.csv("tests/data/table1_pbc.csv")
pbc$bili_group <- cut(pbc$bili, c(0, 1, 3, Inf))
tables <- list(
  pbc_stage_by_trt = table(pbc$stage, pbc$trt),            # 4 x 2, tableone's vignette
  pbc_sex_by_edema = table(pbc$sex, pbc$edema),            # 2 x 3
  pbc_edema_by_bili = table(pbc$edema, pbc$bili_group),    # 3 x 3
  pbc_edema_by_stage = table(pbc$edema, pbc$stage),        # 3 x 4
  # ?fisher.test: Agresti (2002, p. 57), job satisfaction by income; p = 0.7827.
  job_satisfaction = matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11), 4, 4),
  sparse_stage_by_trt = rbind(table(pbc$stage, pbc$trt), c(0, 2)),  # 5 x 2, a level of 2
  sparse_3x5 = matrix(c(3, 0, 1, 0, 2, 0, 2, 0, 1, 0, 1, 0, 0, 3, 1), 3, 5, byrow = TRUE),
  # Equal margins: many tables are exactly as probable as the observed one (tolerance).
  symmetric_3x3 = matrix(c(2, 1, 1, 1, 2, 1, 1, 1, 2), 3, 3)
)
rows <- lapply(names(tables), function(name) {
  x <- unclass(tables[[name]])
  data.frame(
    table = name, nrow = nrow(x), ncol = ncol(x), n = sum(x),
    counts = paste(apply(x, 1, paste, collapse = " "), collapse = ";"),
    p_value = sprintf("%.15g", fisher.test(x)$p.value)
  )
})
out <- do.call(rbind, rows)
write.csv(out, "tests/r/fisher_rxc.csv", row.names = FALSE)
print(out)
