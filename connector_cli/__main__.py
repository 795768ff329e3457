from connector_cli.main import main

main()
