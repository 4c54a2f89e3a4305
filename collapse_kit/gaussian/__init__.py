"""The Gaussian world: a Gaussian, or a mixture of two, refitted on its own samples (lessons 01 and 06). Its configs
are ``theory.GaussianConfig`` and ``theory.MixtureConfig``."""
