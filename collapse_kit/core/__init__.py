"""What every world shares: the world contract (``world``), the runner, the run cache, a generation's columns,
the profiles, the strategies, argument checks and the torch parts. Imports no world."""
