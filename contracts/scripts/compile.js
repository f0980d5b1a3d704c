#!/usr/bin/env node
// Compiles contracts/src/*.sol with the pinned solc (npm package `solc`) through its standard JSON
// interface and writes build/<Name>.json (ABI, bytecode, compiler version, settings) plus
// build/<Name>.abi and build/<Name>.bin, the inputs of Web3j's wrapper generator.
//
//   node scripts/compile.js           write the artifacts
//   node scripts/compile.js --check   compile and exit 1 when the committed artifacts differ
//   node scripts/compile.js --reference DIR
//                                     compile test/*.sol (contracts measured for comparison
//                                     only, never committed as artifacts) into DIR/<Name>.json
//
// Everything that goes into the output is fixed here (sorted source names, relative paths,
// settings), so the same sources always give byte-identical artifacts.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const nodeModules = path.join(root, 'node_modules');

const CONTRACTS = ['OpenToken', 'RewardDistributor', 'OpenBridge'];

const SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 10000 },
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

function findImports(importPath) {
  // Only OpenZeppelin is imported from outside src/; resolve it in node_modules.
  const candidates = [path.join(nodeModules, importPath), path.join(root, importPath)];
  for (const file of candidates) {
    if (fs.existsSync(file)) {
      return { contents: fs.readFileSync(file, 'utf8') };
    }
  }
  return { error: `import not found: ${importPath} (run npm ci in contracts/)` };
}

function compile(dir = 'src', names = CONTRACTS) {
  const sources = {};
  for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.sol')).sort()) {
    sources[`${dir}/${file}`] = { content: fs.readFileSync(path.join(root, dir, file), 'utf8') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const e of output.errors || []) {
    process.stderr.write(e.formattedMessage + '\n');
  }
  if (errors.length > 0) {
    process.exit(2);
  }
  const version = solc.version();
  const files = {};
  for (const name of names) {
    const sourceName = `${dir}/${name}.sol`;
    const contract = output.contracts[sourceName] && output.contracts[sourceName][name];
    if (!contract) {
      throw new Error(`no contract ${name} in ${sourceName}`);
    }
    const artifact = {
      contractName: name,
      sourceName,
      compiler: { name: 'solc', version },
      settings: { evmVersion: SETTINGS.evmVersion, optimizer: SETTINGS.optimizer, metadata: SETTINGS.metadata },
      abi: contract.abi,
      bytecode: '0x' + contract.evm.bytecode.object,
      deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
    };
    files[`${name}.json`] = JSON.stringify(artifact, null, 2) + '\n';
    files[`${name}.abi`] = JSON.stringify(contract.abi) + '\n';
    files[`${name}.bin`] = contract.evm.bytecode.object;
  }
  return { version, files };
}

function main() {
  const reference = process.argv.indexOf('--reference');
  if (reference >= 0) {
    const out = path.resolve(process.argv[reference + 1]);
    const names = fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.sol')).map((f) => f.slice(0, -4));
    const { version, files } = compile('test', names);
    fs.mkdirSync(out, { recursive: true });
    for (const name of names) {
      fs.writeFileSync(path.join(out, `${name}.json`), files[`${name}.json`]);
    }
    process.stdout.write(`wrote ${names.join(', ')} to ${out} with solc ${version}\n`);
    return;
  }
  const check = process.argv.includes('--check');
  const { version, files } = compile();
  if (check) {
    const stale = Object.keys(files).filter((f) => {
      const p = path.join(buildDir, f);
      return !fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== files[f];
    });
    if (stale.length > 0) {
      process.stderr.write(
        `build/ is stale for ${stale.join(', ')}: run \`node scripts/compile.js\` in contracts/ and commit build/\n`);
      process.exit(1);
    }
    process.stdout.write(`build/ matches solc ${version} output for ${CONTRACTS.join(', ')}\n`);
    return;
  }
  fs.mkdirSync(buildDir, { recursive: true });
  for (const [f, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(buildDir, f), content);
  }
  process.stdout.write(`wrote ${Object.keys(files).length} files to build/ with solc ${version}\n`);
}

main();
