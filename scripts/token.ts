// `npm run token -- USER_ID`: prints a user token signed with JWT_SECRET (the development one when unset).
import { DEFAULT_TOKEN_TTL_S, signUserToken } from '../shared/tokens.js';
import { fillDevSecrets } from './lib/local-env.js';

const arg = process.argv[2] ?? '';
if (!/^[1-9]\d{0,9}$/.test(arg)) {
  console.error('usage: npm run token -- USER_ID   (a positive integer)');
  process.exit(2);
}
fillDevSecrets(process.env);
if (!process.env.JWT_SECRET) {
  console.error('JWT_SECRET is not set (required when NODE_ENV=production)');
  process.exit(1);
}
// Version 0: valid until the user signs out everywhere or an operator revokes their tokens.
const ttl = Number(process.env.TOKEN_TTL_S) || DEFAULT_TOKEN_TTL_S;
console.log(await signUserToken(process.env.JWT_SECRET, Number(arg), ttl));
