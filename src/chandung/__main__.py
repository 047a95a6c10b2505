from chandung.cli import main

main()
