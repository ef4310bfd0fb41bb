"""What every tab of the page shares: the analysis-tab framework, status, tables, figures."""
