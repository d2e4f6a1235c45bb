"""The live 766 scoreboard pages: province overview, rankings, unit pages, lists and exports."""
