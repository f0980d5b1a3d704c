#!/usr/bin/env node
// Where RewardDistributor.claim's gas goes: deploys the committed build/ artifacts on a fresh anvil,
// submits a root over 1,024 accounts (signed by four of anvil's unlocked dev accounts), sends a
// first and a later claim from a fifth account, and splits each receipt's gasUsed into the base,
// the calldata and, from debug_traceTransaction, the opcodes of the distributor and of the token.
//
//   node scripts/gas-trace.js              the committed artifacts
//   node scripts/gas-trace.js --src DIR    compile DIR/*.sol first (same solc and settings as
//                                          compile.js), for trying a change before committing it
//   node scripts/gas-trace.js --ops        also print the distributor's opcodes, one per step
//
// GasReportIT is the measurement the README quotes; this is the breakdown behind it.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const { keccak256 } = require(path.join(root, 'node_modules', 'js-sha3'));
const ANVIL = path.join(root, 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');
const ACCOUNTS = 1024;

function artifacts() {
  const src = process.argv.indexOf('--src');
  if (src < 0) {
    const load = (name) => JSON.parse(fs.readFileSync(path.join(root, 'build', `${name}.json`), 'utf8')).bytecode.slice(2);
    return { OpenToken: load('OpenToken'), RewardDistributor: load('RewardDistributor') };
  }
  const solc = require(path.join(root, 'node_modules', 'solc'));
  const dir = path.resolve(process.argv[src + 1]);
  const sources = {};
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.sol')).sort()) {
    sources[`src/${f}`] = { content: fs.readFileSync(path.join(dir, f), 'utf8') };
  }
  const settings = {
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 10000 },
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  };
  const imports = (p) => {
    const file = path.join(root, 'node_modules', p);
    return fs.existsSync(file) ? { contents: fs.readFileSync(file, 'utf8') } : { error: `import not found: ${p}` };
  };
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }), { import: imports }));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  }
  const bytecode = (name) => out.contracts[`src/${name}.sol`][name].evm.bytecode.object;
  return { OpenToken: bytecode('OpenToken'), RewardDistributor: bytecode('RewardDistributor') };
}

const hash = (buf) => Buffer.from(keccak256.arrayBuffer(buf));
const word = (x) => BigInt(x).toString(16).padStart(64, '0');
const addressWord = (a) => a.toLowerCase().replace('0x', '').padStart(64, '0');
const selector = (signature) => hash(Buffer.from(signature)).subarray(0, 4).toString('hex');
const array = (words) => word(words.length) + words.join('');

// OpenZeppelin StandardMerkleTree: double-hashed leaves, sorted pairs (the order of leaves here
// differs from core's RewardsTree, which does not change a proof's length or its cost).
const leaf = (account, amount) => hash(hash(Buffer.from(addressWord(account) + word(amount), 'hex')));
const pair = (a, b) => (Buffer.compare(a, b) < 0 ? hash(Buffer.concat([a, b])) : hash(Buffer.concat([b, a])));
function tree(leaves) {
  const layers = [leaves];
  while (layers[layers.length - 1].length > 1) {
    const below = layers[layers.length - 1];
    const above = [];
    for (let i = 0; i < below.length; i += 2) {
      above.push(i + 1 < below.length ? pair(below[i], below[i + 1]) : below[i]);
    }
    layers.push(above);
  }
  const proof = (index) => {
    const siblings = [];
    for (let d = 0; d < layers.length - 1; d++, index >>= 1) {
      if ((index ^ 1) < layers[d].length) siblings.push(layers[d][index ^ 1]);
    }
    return siblings;
  };
  return { root: layers[layers.length - 1][0], proof };
}

class Rpc {
  constructor(url) {
    this.url = url;
    this.id = 0;
  }
  async call(method, params = []) {
    const body = JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params });
    const response = await (await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
    if (response.error) throw new Error(`${method}: ${JSON.stringify(response.error)}`);
    return response.result;
  }
  async send(from, to, data) {
    const tx = await this.call('eth_sendTransaction', [{ from, to, data: '0x' + data, gas: '0x1000000' }]);
    for (;;) {
      const receipt = await this.call('eth_getTransactionReceipt', [tx]);
      if (receipt) {
        if (receipt.status !== '0x1') throw new Error(`transaction ${tx} reverted`);
        return { tx, receipt };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** gasUsed = 21,000 + calldata + the opcodes; the opcodes split by contract and by kind. */
function breakdown(label, gasUsed, data, trace) {
  let calldata = 0;
  for (const b of Buffer.from(data, 'hex')) calldata += b === 0 ? 4 : 16;
  const logs = trace.structLogs;
  const frames = { 1: {}, 2: {} };
  for (let i = 0; i < logs.length; i++) {
    const step = logs[i];
    let cost = step.gasCost;
    if (step.op === 'CALL' && logs[i + 1] && logs[i + 1].depth > step.depth) {
      // A call's gasCost includes what it forwards; keep only what the call itself costs.
      let j = i + 1;
      let inner = 0;
      for (; logs[j].depth > step.depth; j++) inner += logs[j].gasCost;
      cost = step.gas - logs[j].gas - inner;
    }
    const kind = /^(SLOAD|SSTORE|CALL|KECCAK256)$/.test(step.op) || step.op.startsWith('LOG') ? step.op : 'other opcodes';
    const frame = frames[step.depth] || (frames[step.depth] = {});
    frame[kind] = (frame[kind] || 0) + cost;
  }
  const line = (name, parts) => {
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    const items = Object.entries(parts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toLocaleString('en')}`);
    return `  ${name}: ${total.toLocaleString('en')} (${items.join(', ')})`;
  };
  console.log(`${label}: ${gasUsed.toLocaleString('en')} gas = 21,000 base + ${calldata.toLocaleString('en')} calldata (${data.length / 2} bytes) + opcodes`);
  console.log(line('distributor', frames[1]));
  console.log(line('token', frames[2]));
  if (process.argv.includes('--ops')) {
    console.log(logs.filter((s) => s.depth === 1).map((s) => `${s.pc}:${s.op}(${s.gasCost})`).join(' '));
  }
}

async function main() {
  const bytecode = artifacts();
  const anvil = spawn(ANVIL, ['--host', '127.0.0.1', '--port', '0', '--steps-tracing'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let seen = '';
      anvil.on('exit', (code) => reject(new Error(`anvil exited with ${code} (run npm ci in contracts/)`)));
      anvil.stdout.on('data', (chunk) => {
        seen += chunk;
        const m = seen.match(/Listening on (\S+)/);
        if (m) resolve('http://' + m[1]);
      });
    });
    const rpc = new Rpc(url);
    const accounts = await rpc.call('eth_accounts');
    const [deployer, relayer] = [accounts[0], accounts[5]];
    const deploy = async (code, args) => (await rpc.send(deployer, null, code + args)).receipt.contractAddress;

    const supply = 10n ** 27n;
    const token = await deploy(bytecode.OpenToken, addressWord(deployer) + word(supply));
    const validators = accounts.slice(1, 5).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const distributor = await deploy(
      bytecode.RewardDistributor,
      addressWord(token) + word(96) + word(96 + 32 * (validators.length + 1)) + array(validators.map(addressWord)) + array(validators.map(() => word(1))));
    await rpc.send(deployer, token, selector('transfer(address,uint256)') + addressWord(distributor) + word(supply / 2n));

    const chainId = Number(await rpc.call('eth_chainId'));
    const wallets = [];
    for (let i = 0; i < ACCOUNTS; i++) wallets.push('0x' + hash(Buffer.from(`gas-trace-wallet-${i}`)).subarray(12).toString('hex'));
    const amount = (i, epoch) => BigInt(i + 1) * BigInt(epoch) * 10n ** 18n;

    const submitEpoch = async (epoch) => {
      const t = tree(wallets.map((w, i) => leaf(w, amount(i, epoch))));
      const setHash = await rpc.call('eth_call', [{ to: distributor, data: '0x' + selector('validatorSetHash()') }]);
      const typed = {
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
          EpochRoot: [
            { name: 'epoch', type: 'uint64' },
            { name: 'rewardsRoot', type: 'bytes32' },
            { name: 'validatorSetHash', type: 'bytes32' },
          ],
        },
        primaryType: 'EpochRoot',
        domain: { name: 'Ascribe RewardDistributor', version: '1', chainId, verifyingContract: distributor },
        message: { epoch, rewardsRoot: '0x' + t.root.toString('hex'), validatorSetHash: setHash },
      };
      let heads = '';
      let tails = '';
      for (const v of validators) {
        const signature = (await rpc.call('eth_signTypedData_v4', [v, typed])).slice(2);
        heads += word(32 * validators.length + tails.length / 2);
        tails += word(65) + signature.padEnd(192, '0');
      }
      const data = selector('submitEpoch(uint64,bytes32,bytes[])') + word(epoch) + t.root.toString('hex') + word(96) + word(validators.length) + heads + tails;
      await rpc.send(deployer, distributor, data);
      return t;
    };
    const claim = async (label, t, epoch) => {
      const proof = t.proof(0).map((h) => h.toString('hex'));
      const data = selector('claim(address,uint256,bytes32[])') + addressWord(wallets[0]) + word(amount(0, epoch)) + word(96) + array(proof);
      const { tx, receipt } = await rpc.send(relayer, distributor, data);
      const trace = await rpc.call('debug_traceTransaction', [tx, { enableMemory: false, disableStack: true, disableStorage: true }]);
      breakdown(`${label} (proof of ${proof.length})`, Number(receipt.gasUsed), data, trace);
    };
    await claim('first claim', await submitEpoch(1), 1);
    await claim('later claim', await submitEpoch(2), 2);
  } finally {
    anvil.kill();
  }
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
