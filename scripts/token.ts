// `npm run token -- USER_ID`: prints a user token signed with JWT_SECRET (the development one when unset).
import { signUserToken } from '../shared/tokens.js';
import { localConfig } from './lib/local-env.js';

const arg = process.argv[2] ?? '';
if (!/^[1-9]\d{0,9}$/.test(arg)) {
  console.error('usage: npm run token -- USER_ID   (a positive integer)');
  process.exit(2);
}
const config = await localConfig();
console.log(await signUserToken(config.JWT_SECRET, Number(arg)));
