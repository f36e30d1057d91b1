// The compiled addon; `npm ci` builds it (an optional dependency: a failed build leaves the
// scanner on its connect scan).
module.exports = require('./build/Release/syn_sweep.node');
