# Reference results of surveillance::earsC for tests/test_detection_methods.py.
#
#   Rscript scripts/ears_fixture.R [FIXTURE] [--new]
#
# FIXTURE defaults to tests/fixtures/ears_surveillance.json. Reads the series from it ("series": one object
# per series with "name" and "counts") and rewrites it with earsC's upperbound and alarm for every series x
# method (C1, C2, C3) x alpha (0.001, 0.05) x minSigma (0, 0.5) x baseline (7, 10). With --new, first draws
# the series afresh (Poisson rates 0.2, 1 and 3 a day for 120 days, set.seed(20240501), each with a surge).
# Needs only R and the surveillance package (Debian: r-cran-surveillance); no JSON package: the fixture's
# layout is this script's own, read back with regular expressions.

suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
new <- "--new" %in% args
args <- setdiff(args, "--new")
path <- if (length(args) >= 1) args[1] else "tests/fixtures/ears_surveillance.json"

draw_series <- function() {
  set.seed(20240501)
  n <- 120
  make <- function(name, rate, surge_days, surge_add) {
    counts <- rpois(n, rate)
    counts[surge_days] <- counts[surge_days] + surge_add
    list(name = name, rate = rate, counts = as.integer(counts))
  }
  list(
    make("rate0.2", 0.2, 100:102, c(2L, 3L, 2L)),
    make("rate1", 1, 95:99, c(3L, 4L, 5L, 4L, 3L)),
    make("rate3", 3, 90:93, c(6L, 8L, 9L, 7L))
  )
}

read_series <- function(path) {
  txt <- paste(readLines(path, warn = FALSE), collapse = "\n")
  hits <- regmatches(txt, gregexpr('\\{"name": "[^"]*", "rate": [0-9.eE+-]+, "counts": \\[[^]]*\\]\\}', txt))[[1]]
  if (length(hits) == 0) stop("no series found in ", path)
  lapply(hits, function(h) {
    name <- sub('^\\{"name": "([^"]*)".*$', "\\1", h)
    rate <- as.numeric(sub('^.*"rate": ([0-9.eE+-]+),.*$', "\\1", h))
    nums <- sub('^.*"counts": \\[([^]]*)\\].*$', "\\1", h)
    list(name = name, rate = rate, counts = as.integer(strsplit(gsub("\\s", "", nums), ",")[[1]]))
  })
}

num <- function(x) ifelse(is.na(x), "null", formatC(x, digits = 17, format = "g"))
lgl <- function(x) ifelse(is.na(x), "null", ifelse(x, "true", "false"))
arr <- function(x) paste0("[", paste(x, collapse = ", "), "]")

series <- if (new) draw_series() else read_series(path)

results <- character(0)
for (s in series) {
  for (method in c("C1", "C2", "C3")) {
    for (alpha in c(0.001, 0.05)) {
      for (minSigma in c(0, 0.5)) {
        for (baseline in c(7, 10)) {
          obj <- sts(observed = matrix(s$counts, ncol = 1), start = c(2024, 1), frequency = 365)
          res <- earsC(obj, control = list(method = method, alpha = alpha, minSigma = minSigma,
                                           baseline = baseline, range = NULL))
          lag <- switch(method, C1 = baseline, C2 = baseline + 2, C3 = baseline + 4)
          results <- c(results, paste0(
            '    {"series": "', s$name, '", "method": "', method, '", "alpha": ', alpha,
            ', "minSigma": ', minSigma, ', "baseline": ', baseline,
            ', "first_day": ', lag + 1,
            ', "upperbound": ', arr(num(as.vector(res@upperbound))),
            ', "alarm": ', arr(lgl(as.vector(res@alarm))), "}"))
        }
      }
    }
  }
}

series_json <- vapply(series, function(s) paste0(
  '    {"name": "', s$name, '", "rate": ', s$rate, ', "counts": ', arr(s$counts), "}"), "")
out <- c(
  "{",
  paste0('  "generated_by": "Rscript scripts/ears_fixture.R (surveillance ', packageVersion("surveillance"),
         ", ", R.version.string, ')",'),
  '  "note": "first_day is 1-based: upperbound[i] and alarm[i] are for counts[first_day - 1 + i] (0-based)",',
  '  "series": [',
  paste(series_json, collapse = ",\n"),
  "  ],",
  '  "results": [',
  paste(results, collapse = ",\n"),
  "  ]",
  "}"
)
writeLines(out, path)
cat("wrote", length(results), "earsC results for", length(series), "series to", path, "\n")
