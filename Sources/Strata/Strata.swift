// The umbrella module: `import Strata` gives every Strata library.
@_exported import StrataCore
@_exported import StrataData
