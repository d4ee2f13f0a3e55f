from numbalint.cli import main

main()
