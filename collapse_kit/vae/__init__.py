"""The VAE world: tiny VAEs trained recursively on MNIST (lessons 02-08). Its config is ``loop.ExperimentConfig``."""
