"""The references the methods text cites (Vancouver style), and its software sentence.

A key is cited in a sentence as "(Author, year)" by `cite`; only the keys cited by the
sentences of the analyses actually run are listed under the paragraph.
"""

from __future__ import annotations

from collections.abc import Mapping

# key -> (in-text citation, full reference)
REFERENCES: dict[str, tuple[str, str]] = {
    "pearson_chi2": (
        "Pearson, 1900",
        "Pearson K. On the criterion that a given system of deviations from the probable in the "
        "case of a correlated system of variables is such that it can be reasonably supposed to "
        "have arisen from random sampling. Philos Mag. 1900;50(302):157-175.",
    ),
    "fisher": (
        "Fisher, 1922",
        "Fisher RA. On the interpretation of χ² from contingency tables, and the calculation of "
        "P. J R Stat Soc. 1922;85(1):87-94.",
    ),
    "freeman_halton": (
        "Freeman and Halton, 1951",
        "Freeman GH, Halton JH. Note on an exact treatment of contingency, goodness of fit and "
        "other problems of significance. Biometrika. 1951;38(1-2):141-149.",
    ),
    "welch": (
        "Welch, 1947",
        "Welch BL. The generalization of 'Student's' problem when several different population "
        "variances are involved. Biometrika. 1947;34(1-2):28-35.",
    ),
    "mann_whitney": (
        "Mann and Whitney, 1947",
        "Mann HB, Whitney DR. On a test of whether one of two random variables is stochastically "
        "larger than the other. Ann Math Stat. 1947;18(1):50-60.",
    ),
    "kruskal": (
        "Kruskal and Wallis, 1952",
        "Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. J Am Stat Assoc. "
        "1952;47(260):583-621.",
    ),
    "shapiro": (
        "Shapiro and Wilk, 1965",
        "Shapiro SS, Wilk MB. An analysis of variance test for normality (complete samples). "
        "Biometrika. 1965;52(3-4):591-611.",
    ),
    "austin_smd": (
        "Austin, 2009",
        "Austin PC. Balance diagnostics for comparing the distribution of baseline covariates "
        "between treatment groups in propensity-score matched samples. Stat Med. "
        "2009;28(25):3083-3107.",
    ),
    "firth": (
        "Firth, 1993",
        "Firth D. Bias reduction of maximum likelihood estimates. Biometrika. 1993;80(1):27-38.",
    ),
    "heinze": (
        "Heinze and Schemper, 2002",
        "Heinze G, Schemper M. A solution to the problem of separation in logistic regression. "
        "Stat Med. 2002;21(16):2409-2419.",
    ),
    "hosmer_lemeshow": (
        "Hosmer and Lemeshow, 1980",
        "Hosmer DW, Lemeshow S. Goodness of fit tests for the multiple logistic regression model. "
        "Commun Stat Theory Methods. 1980;9(10):1043-1069.",
    ),
    "delong": (
        "DeLong et al., 1988",
        "DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more "
        "correlated receiver operating characteristic curves: a nonparametric approach. "
        "Biometrics. 1988;44(3):837-845.",
    ),
    "youden": (
        "Youden, 1950",
        "Youden WJ. Index for rating diagnostic tests. Cancer. 1950;3(1):32-35.",
    ),
    "clopper_pearson": (
        "Clopper and Pearson, 1934",
        "Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case "
        "of the binomial. Biometrika. 1934;26(4):404-413.",
    ),
    "wilson": (
        "Wilson, 1927",
        "Wilson EB. Probable inference, the law of succession, and statistical inference. J Am "
        "Stat Assoc. 1927;22(158):209-212.",
    ),
    "kaplan_meier": (
        "Kaplan and Meier, 1958",
        "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat "
        "Assoc. 1958;53(282):457-481.",
    ),
    "mantel": (
        "Mantel, 1966",
        "Mantel N. Evaluation of survival data and two new rank order statistics arising in its "
        "consideration. Cancer Chemother Rep. 1966;50(3):163-170.",
    ),
    "schemper_smith": (
        "Schemper and Smith, 1996",
        "Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time. "
        "Control Clin Trials. 1996;17(4):343-346.",
    ),
    "cox": (
        "Cox, 1972",
        "Cox DR. Regression models and life-tables. J R Stat Soc Series B. 1972;34(2):187-220.",
    ),
    "efron": (
        "Efron, 1977",
        "Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc. "
        "1977;72(359):557-565.",
    ),
    "schoenfeld": (
        "Schoenfeld, 1982",
        "Schoenfeld D. Partial residuals for the proportional hazards regression model. "
        "Biometrika. 1982;69(1):239-241.",
    ),
    "grambsch_therneau": (
        "Grambsch and Therneau, 1994",
        "Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted "
        "residuals. Biometrika. 1994;81(3):515-526.",
    ),
    "cameron_trivedi": (
        "Cameron and Trivedi, 2013",
        "Cameron AC, Trivedi PK. Regression Analysis of Count Data. 2nd ed. Cambridge: Cambridge "
        "University Press; 2013.",
    ),
    "bonett_wright": (
        "Bonett and Wright, 2000",
        "Bonett DG, Wright TA. Sample size requirements for estimating Pearson, Kendall and "
        "Spearman correlations. Psychometrika. 2000;65(1):23-28.",
    ),
    "holm": (
        "Holm, 1979",
        "Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat. "
        "1979;6(2):65-70.",
    ),
    "benjamini_hochberg": (
        "Benjamini and Hochberg, 1995",
        "Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and powerful "
        "approach to multiple testing. J R Stat Soc Series B. 1995;57(1):289-300.",
    ),
    "cohen_1960": (
        "Cohen, 1960",
        "Cohen J. A coefficient of agreement for nominal scales. Educ Psychol Meas. "
        "1960;20(1):37-46.",
    ),
    "cohen_1968": (
        "Cohen, 1968",
        "Cohen J. Weighted kappa: nominal scale agreement with provision for scaled disagreement "
        "or partial credit. Psychol Bull. 1968;70(4):213-220.",
    ),
    "fleiss_cohen_everitt": (
        "Fleiss et al., 1969",
        "Fleiss JL, Cohen J, Everitt BS. Large sample standard errors of kappa and weighted "
        "kappa. Psychol Bull. 1969;72(5):323-327.",
    ),
    "fleiss_1971": (
        "Fleiss, 1971",
        "Fleiss JL. Measuring nominal scale agreement among many raters. Psychol Bull. "
        "1971;76(5):378-382.",
    ),
    "shrout_fleiss": (
        "Shrout and Fleiss, 1979",
        "Shrout PE, Fleiss JL. Intraclass correlations: uses in assessing rater reliability. "
        "Psychol Bull. 1979;86(2):420-428.",
    ),
    "mcgraw_wong": (
        "McGraw and Wong, 1996",
        "McGraw KO, Wong SP. Forming inferences about some intraclass correlation coefficients. "
        "Psychol Methods. 1996;1(1):30-46.",
    ),
    "bland_altman_1986": (
        "Bland and Altman, 1986",
        "Bland JM, Altman DG. Statistical methods for assessing agreement between two methods of "
        "clinical measurement. Lancet. 1986;1(8476):307-310.",
    ),
    "bland_altman_1999": (
        "Bland and Altman, 1999",
        "Bland JM, Altman DG. Measuring agreement in method comparison studies. Stat Methods Med "
        "Res. 1999;8(2):135-160.",
    ),
    "carkeet": (
        "Carkeet, 2015",
        "Carkeet A. Exact parametric confidence intervals for Bland-Altman limits of agreement. "
        "Optom Vis Sci. 2015;92(3):e71-e80.",
    ),
    "cohen_1988": (
        "Cohen, 1988",
        "Cohen J. Statistical Power Analysis for the Behavioral Sciences. 2nd ed. Hillsdale, NJ: "
        "Lawrence Erlbaum; 1988.",
    ),
    "fleiss_tytun_ury": (
        "Fleiss et al., 1980",
        "Fleiss JL, Tytun A, Ury HK. A simple approximation for calculating sample sizes for "
        "comparing independent proportions. Biometrics. 1980;36(2):343-346.",
    ),
    "schoenfeld_1983": (
        "Schoenfeld, 1983",
        "Schoenfeld DA. Sample-size formula for the proportional-hazards regression model. "
        "Biometrics. 1983;39(2):499-503.",
    ),
    "freedman": (
        "Freedman, 1982",
        "Freedman LS. Tables of the number of patients required in clinical trials using the "
        "logrank test. Stat Med. 1982;1(2):121-129.",
    ),
    "hsieh": (
        "Hsieh et al., 1998",
        "Hsieh FY, Bloch DA, Larsen MD. A simple method of sample size calculation for linear and "
        "logistic regression. Stat Med. 1998;17(14):1623-1634.",
    ),
    "buderer": (
        "Buderer, 1996",
        "Buderer NM. Statistical methodology: I. Incorporating the prevalence of disease into "
        "the sample size calculation for sensitivity and specificity. Acad Emerg Med. "
        "1996;3(9):895-900.",
    ),
    "chow": (
        "Chow et al., 2008",
        "Chow SC, Shao J, Wang H. Sample Size Calculations in Clinical Research. 2nd ed. Boca "
        "Raton: Chapman & Hall/CRC; 2008.",
    ),
    "van_buuren_mice": (
        "van Buuren and Groothuis-Oudshoorn, 2011",
        "van Buuren S, Groothuis-Oudshoorn K. mice: Multivariate imputation by chained "
        "equations in R. J Stat Softw. 2011;45(3):1-67.",
    ),
    "rubin_1987": (
        "Rubin, 1987",
        "Rubin DB. Multiple Imputation for Nonresponse in Surveys. New York: Wiley; 1987.",
    ),
    "barnard_rubin": (
        "Barnard and Rubin, 1999",
        "Barnard J, Rubin DB. Small-sample degrees of freedom with multiple imputation. "
        "Biometrika. 1999;86(4):948-955.",
    ),
    "brier": (
        "Brier, 1950",
        "Brier GW. Verification of forecasts expressed in terms of probability. Mon Weather Rev. "
        "1950;78(1):1-3.",
    ),
    "cox_1958": (
        "Cox, 1958",
        "Cox DR. Two further applications of a model for binary regression. Biometrika. "
        "1958;45(3-4):562-565.",
    ),
    "austin_steyerberg": (
        "Austin and Steyerberg, 2019",
        "Austin PC, Steyerberg EW. The Integrated Calibration Index (ICI) and related metrics "
        "for quantifying the calibration of logistic regression models. Stat Med. "
        "2019;38(21):4051-4065.",
    ),
    "vickers_elkin": (
        "Vickers and Elkin, 2006",
        "Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction "
        "models. Med Decis Making. 2006;26(6):565-574.",
    ),
    "harrell_1996": (
        "Harrell et al., 1996",
        "Harrell FE Jr, Lee KL, Mark DB. Multivariable prognostic models: issues in developing "
        "models, evaluating assumptions and adequacy, and measuring and reducing errors. Stat "
        "Med. 1996;15(4):361-387.",
    ),
    "statsmodels": (
        "Seabold and Perktold, 2010",
        "Seabold S, Perktold J. Statsmodels: econometric and statistical modeling with Python. "
        "In: Proceedings of the 9th Python in Science Conference. 2010:92-96.",
    ),
    "scipy": (
        "Virtanen et al., 2020",
        "Virtanen P, Gommers R, Oliphant TE, et al. SciPy 1.0: fundamental algorithms for "
        "scientific computing in Python. Nat Methods. 2020;17(3):261-272.",
    ),
    "rosenbaum_rubin": (
        "Rosenbaum and Rubin, 1983",
        "Rosenbaum PR, Rubin DB. The central role of the propensity score in observational "
        "studies for causal effects. Biometrika. 1983;70(1):41-55.",
    ),
    "austin_caliper": (
        "Austin, 2011",
        "Austin PC. Optimal caliper widths for propensity-score matching when estimating "
        "differences in means and differences in proportions in observational studies. Pharm "
        "Stat. 2011;10(2):150-161.",
    ),
    "matchit": (
        "Ho et al., 2011",
        "Ho DE, Imai K, King G, Stuart EA. MatchIt: nonparametric preprocessing for parametric "
        "causal inference. J Stat Softw. 2011;42(8):1-28.",
    ),
    "austin_balance": (
        "Austin, 2009",
        "Austin PC. Balance diagnostics for comparing the distribution of baseline covariates "
        "between treatment groups in propensity-score matched samples. Stat Med. "
        "2009;28(25):3083-3107.",
    ),
    "austin_stuart": (
        "Austin and Stuart, 2015",
        "Austin PC, Stuart EA. Moving towards best practice when using inverse probability of "
        "treatment weighting (IPTW) using the propensity score to estimate causal treatment "
        "effects in observational studies. Stat Med. 2015;34(28):3661-3679.",
    ),
    "kish": ("Kish, 1965", "Kish L. Survey Sampling. New York: Wiley; 1965."),
    "lumley_survey": (
        "Lumley, 2004",
        "Lumley T. Analysis of complex survey samples. J Stat Softw. 2004;9(8):1-19.",
    ),
    "lin_wei": (
        "Lin and Wei, 1989",
        "Lin DY, Wei LJ. The robust inference for the Cox proportional hazards model. J Am Stat "
        "Assoc. 1989;84(408):1074-1078.",
    ),
    "zeileis_sandwich": (
        "Zeileis et al., 2020",
        "Zeileis A, Köll S, Graham N. Various versatile variances: an object-oriented "
        "implementation of clustered covariances in R. J Stat Softw. 2020;95(1):1-36.",
    ),
}


def cite(*keys: str) -> str:
    """'(Firth, 1993; Heinze and Schemper, 2002)'."""
    return "(" + "; ".join(REFERENCES[k][0] for k in keys) + ")"


def software_sentence(
    versions: Mapping[str, str], firth_used: bool, tests: bool = True, one_sided: bool = False
) -> str:
    """Which software computed the results, with versions (firthmodels only when it was used);
    `tests`: some analysis tested on data (a study size alone tests nothing); `one_sided`: the
    study size was calculated for a one-sided test (non-inferiority), which is then said."""
    packages = [f"pandas {versions.get('pandas', '?')}", f"NumPy {versions.get('numpy', '?')}"]
    packages.append(f"SciPy {versions.get('scipy', '?')} {cite('scipy')}")
    packages.append(f"statsmodels {versions.get('statsmodels', '?')} {cite('statsmodels')}")
    if firth_used:
        packages.append(f"firthmodels {versions.get('firthmodels', '?')}")
    return (
        f"Analyses were performed with MedStat {versions.get('medstat', '?')} in Python "
        f"{versions.get('python', '?')}, using {', '.join(packages[:-1])} and {packages[-1]}."
        + (f" {_sides(one_sided)} confidence intervals are 95%." if tests else "")
    )


def _sides(one_sided: bool) -> str:
    if one_sided:  # a non-inferiority design beside two-sided tests of the data
        return (
            "Tests of the data were two-sided (the study size was calculated for a one-sided "
            "test, as stated above);"
        )
    return "All tests were two-sided;"
