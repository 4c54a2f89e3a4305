"""From numbers to verdicts: the catalogue, the shipped results bundle, the statistics, every verdict and its sheet,
the lessons' check cells, sweeps and yardsticks. Reads the worlds only through their configs and results."""
