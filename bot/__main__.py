from bot.quick_cli import main

main()
