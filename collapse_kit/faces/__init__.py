"""What a student sees and touches: figures, widgets, the command line and Colab's set-up."""
