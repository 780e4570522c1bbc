function decodeUplink(input) {
  switch (input.bytes[0]) {
    case 1: while (true) {}
    case 2: var big = new Uint8Array(1e9); big.fill(1); return {data: {n: big.length}};
    case 3: return {data: require('fs')};
    case 4: throw new Error('frame type ' + input.bytes[1] + ' unknown');
    case 5: return {errors: ['battery frame too short']};
    case 6: return {data: {t: 21.5}, warnings: ['sensor not calibrated']};
    case 7: function down(n) { return down(n + 1) + 1; } return {data: {n: down(0)}};
    case 8: return {data: {files: typeof XMLHttpRequest + typeof fetch + typeof setTimeout + typeof process + typeof WebAssembly}};
    default: return {data: {t: input.bytes[0] / 10, port: input.fPort, year: input.recvTime.getUTCFullYear()}};
  }
}
