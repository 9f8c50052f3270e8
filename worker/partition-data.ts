// Everything one rebuild partition needs, streamed out of Postgres with COPY in one snapshot.
import { type Pool, copyOutQuery, withTransaction } from '../shared/db.js';
import { decodeField, decodeSimpleArray, eachCopyRow } from '../shared/copy-text.js';
import type { Gender } from '../shared/genders.js';
import { CANDIDATE_COLUMNS as C, candidateOfFields } from '../shared/candidates.js';
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

/** The parameters of sql/queries/partition_candidates.sql: the union of the members' ranges and wants. */
function candidateBounds(p: Partition, members: Candidate[]): number[] {
  let ageMin = 120, ageMax = 18, heightMin = 250, heightMax = 100, wants = 0, shortest = 250, tallest = 100;
  for (const m of members) {
    ageMin = Math.min(ageMin, m.ageMin);
    ageMax = Math.max(ageMax, m.ageMax);
    heightMin = Math.min(heightMin, m.heightMin);
    heightMax = Math.max(heightMax, m.heightMax);
    wants |= m.interestMask;
    shortest = Math.min(shortest, m.height);
    tallest = Math.max(tallest, m.height);
  }
  return [ageMin, ageMax, heightMin, heightMax, wants, p.genderBit, p.from[0], p.to[0], shortest, tallest];
}

export async function readPartition(db: Pool, p: Partition): Promise<PartitionData> {
  const bounds = [p.genderBit, p.from[0], p.from[1], p.to[0], p.to[1]];
  return withTransaction(
    db,
    async (client) => {
      const readAt = Date.now();
      const members: Candidate[] = [];
      const profiles: Profile[] = [];
      await eachCopyRow(copyOutQuery(client, 'partition_members', bounds), (f) => {
        const m = candidateOfFields(f);
        members.push(m);
        profiles.push({
          id: m.id, age: m.age, height: m.height,
          preferred_age_min: m.ageMin, preferred_age_max: m.ageMax, preferred_height_min: m.heightMin, preferred_height_max: m.heightMax,
          name: decodeField(f[C]!)!, gender: decodeField(f[C + 1]!) as Gender | null,
          interested_in: decodeSimpleArray(decodeField(f[C + 2]!)) as Gender[] | null, bio: decodeField(f[C + 3]!),
          interests: m.interests ? [...m.interests] : [],
        });
      });
      const candidates: Candidate[] = [];
      const excluded = new Map<number, number[]>();
      const likedBy = new Map<number, number[]>();
      if (members.length) {
        await eachCopyRow(copyOutQuery(client, 'partition_candidates', candidateBounds(p, members)), (f) => candidates.push(candidateOfFields(f)));
        const isMember = new Set(members.map((m) => m.id));
        await eachCopyRow(copyOutQuery(client, 'partition_swipes', bounds), (f) => {
          const swiper = +f[0]!;
          const swipee = +f[1]!;
          if (isMember.has(swiper)) push(excluded, swiper, swipee);
          if (isMember.has(swipee)) push(f[2] === 'pass' ? excluded : likedBy, swipee, swiper);
        });
      }
      return { readAt, members, profiles, candidates, excluded, likedBy };
    },
    'snapshot', // one consistent view of members, candidates and swipes
  );
}
