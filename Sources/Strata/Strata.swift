// The umbrella module: `import Strata` gives every Strata library.
@_exported import StrataCore
@_exported import StrataData
@_exported import StrataNN
@_exported import StrataPlot
@_exported import StrataTrain
@_exported import StrataRetrieval
@_exported import StrataTracking
@_exported import StrataInterop
