from portfolio_check.cli import main

main(prog_name="portfolio-check")
