// Everything one rebuild partition needs, streamed out of Postgres with COPY in one snapshot.
import { type Pool, copyOutQuery, withClient } from '../shared/db.js';
import { decodeField, decodeSimpleArray, eachCopyRow } from '../shared/copy-text.js';
import type { Gender } from '../shared/genders.js';
import { candidateOfFields } from '../shared/candidates.js';
import type { Candidate } from '../shared/matching/types.js';
import type { Profile } from '../shared/profile.js';
import type { Partition } from '../shared/rebuild-plan.js';

export interface PartitionData {
  /** When the snapshot was taken (ms): the lists' generatedAt. */
  readAt: number;
  members: Candidate[];
  profiles: Profile[];
  candidates: Candidate[];
  /** Per member: ids to leave out (their swipes, and who passed on them), and who liked them. */
  excluded: Map<number, number[]>;
  likedBy: Map<number, number[]>;
}

const push = (m: Map<number, number[]>, k: number, v: number) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

export async function readPartition(db: Pool, p: Partition): Promise<PartitionData> {
  const bounds = [p.genderBit, p.from[0], p.from[1], p.to[0], p.to[1]];
  return withClient(db, async (client) => {
    // One consistent snapshot for members, candidates and swipes.
    await client.query('begin isolation level repeatable read read only');
    try {
      const readAt = Date.now();
      const members: Candidate[] = [];
      const profiles: Profile[] = [];
      await eachCopyRow(copyOutQuery(client, 'partition_members', bounds), (f) => {
        const m = candidateOfFields(f);
        members.push(m);
        profiles.push({
          id: m.id, age: m.age, height: m.height,
          preferred_age_min: m.ageMin, preferred_age_max: m.ageMax, preferred_height_min: m.heightMin, preferred_height_max: m.heightMax,
          name: decodeField(f[9]!)!, gender: decodeField(f[10]!) as Gender | null,
          interested_in: decodeSimpleArray(decodeField(f[11]!)) as Gender[] | null, bio: decodeField(f[12]!),
        });
      });
      const candidates: Candidate[] = [];
      const excluded = new Map<number, number[]>();
      const likedBy = new Map<number, number[]>();
      if (members.length) {
        const span = (pick: (m: Candidate) => number, f: (...xs: number[]) => number) => members.reduce((acc, m) => f(acc, pick(m)), pick(members[0]!));
        await eachCopyRow(
          copyOutQuery(client, 'partition_candidates', [
            span((m) => m.ageMin, Math.min), span((m) => m.ageMax, Math.max),
            span((m) => m.heightMin, Math.min), span((m) => m.heightMax, Math.max),
            members.reduce((mask, m) => mask | m.interestMask, 0), p.genderBit,
            p.from[0], p.to[0], span((m) => m.height, Math.min), span((m) => m.height, Math.max),
          ]),
          (f) => candidates.push(candidateOfFields(f)),
        );
        const isMember = new Set(members.map((m) => m.id));
        await eachCopyRow(copyOutQuery(client, 'partition_swipes', bounds), (f) => {
          const swiper = +f[0]!;
          const swipee = +f[1]!;
          if (isMember.has(swiper)) push(excluded, swiper, swipee);
          if (isMember.has(swipee)) push(f[2] === 'pass' ? excluded : likedBy, swipee, swiper);
        });
      }
      await client.query('commit');
      return { readAt, members, profiles, candidates, excluded, likedBy };
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    }
  });
}
