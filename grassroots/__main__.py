from grassroots.cli import main

main()
