"""dualgrad's neural networks on Values: modules, activations, losses, optimisers."""

from . import activations, data, losses, optim, train
from .layers import MLP, Layer, Neuron
from .module import Module
from .perceptron import Perceptron

__all__ = ["Module", "Neuron", "Layer", "MLP", "Perceptron", "activations", "losses", "optim", "data", "train"]
