/**
 * Synthetic XMPP archives written to the public specifications: XEP-0227 (server export with XEP-0313
 * archive sections), XEP-0313 query results, XEP-0359 ids, XEP-0203 delays, XEP-0045 rooms, and ejabberd's
 * `archive` table (sql/pg.sql) exported as CSV. All people and servers are made up.
 */
const r1 = `<result xmlns='urn:xmpp:mam:2' id='A-0001'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:00:00Z'/>
          <message xmlns='jabber:client' from='Ghost@Shadow.example/phone1' to='viper@shadow.example' type='chat' id='m1'>
            <body>Levering om 10u 🚚 &amp; &lt;snel&gt;</body>
            <origin-id xmlns='urn:xmpp:sid:0' id='o-0001'/>
          </message>
        </forwarded>
      </result>`;

export const xep0227 = `<?xml version='1.0' encoding='UTF-8'?>
<server-data xmlns='urn:xmpp:pie:0' xmlns:xi='http://www.w3.org/2001/XInclude'>
  <host jid='shadow.example'>
    <user name='ghost' password='synthetic'>
      <query xmlns='jabber:iq:roster'><item jid='viper@shadow.example' name='V' subscription='both'/></query>
      <archive xmlns='urn:xmpp:pie:0#mam'>
      ${r1}
      <result xmlns='urn:xmpp:mam:2' id='A-0002'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:01:30.250Z'/>
          <message xmlns='jabber:client' from='viper@shadow.example/laptop' to='ghost@shadow.example/phone1' type='chat' id='m2'>
            <body><![CDATA[שלום — مرحبا <ok>]]></body>
            <origin-id xmlns='urn:xmpp:sid:0' id='o-0002'/>
            <reply xmlns='urn:xmpp:reply:0' to='ghost@shadow.example/phone1' id='o-0001'/>
          </message>
        </forwarded>
      </result>
      <result xmlns='urn:xmpp:mam:2' id='A-0003'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:02:00Z'/>
          <message xmlns='jabber:client' from='viper@shadow.example/laptop' to='ghost@shadow.example' type='chat' id='m3'>
            <received xmlns='urn:xmpp:receipts' id='m1'/>
          </message>
        </forwarded>
      </result>
      <result xmlns='urn:xmpp:mam:2' id='A-0004'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:03:00Z'/>
          <message xmlns='jabber:client' from='ghost@shadow.example/phone1' to='viper@shadow.example' type='chat' id='m4'>
            <body>ongesloten</bod>
          </message>
        </forwarded>
      </result>
      <result xmlns='urn:xmpp:mam:2' id='A-0005'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:04:00Z'/>
          <message xmlns='jabber:client' from='ghost@shadow.example/phone1' to='viper@shadow.example' type='chat' id='m5'>
            <body>&xxe;</body>
          </message>
        </forwarded>
      </result>
      <result xmlns='urn:xmpp:mam:2' id='A-0006'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:05:00Z'/>
          <message xmlns='jabber:client' from='ghost@shadow.example/phone1' to='viper@shadow.example' type='chat' id='m6'>
            <body>I sent you an OMEMO encrypted message but your client doesn't seem to support that.</body>
            <encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='1'><iv>AAAA</iv></header><payload>c3ludGhldGlj</payload></encrypted>
            <x xmlns='jabber:x:oob'><url>https://files.shadow.example/a1b2/photo.jpg</url></x>
          </message>
        </forwarded>
      </result>
      </archive>
    </user>
    <user name='viper'>
      <archive xmlns='urn:xmpp:pie:0#mam'>
      <result xmlns='urn:xmpp:mam:2' id='B-0001'>
        <forwarded xmlns='urn:xmpp:forward:0'>
          <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T10:00:00.180Z'/>
          <message xmlns='jabber:client' from='ghost@shadow.example/phone1' to='viper@shadow.example' type='chat' id='m1'>
            <body>Levering om 10u 🚚 &amp; &lt;snel&gt;</body>
            <origin-id xmlns='urn:xmpp:sid:0' id='o-0001'/>
          </message>
        </forwarded>
      </result>
      </archive>
      <offline-messages>
        <message xmlns='jabber:client' from='ghost@shadow.example/phone2' to='viper@shadow.example' type='chat' id='m9'>
          <delay xmlns='urn:xmpp:delay' from='shadow.example' stamp='2020-05-02T08:00:00.123+02:00'/>
          <body>offline
twee regels</body>
        </message>
      </offline-messages>
    </user>
  </host>
</server-data>
`;

/** A XEP-0313 query's response on a room (XEP-0045), as a client received it: carrier messages to the user. */
export const mucQueryResults = `<message xmlns='jabber:client' to='ghost@shadow.example/phone1' from='ops@rooms.shadow.example' id='q1'>
  <result xmlns='urn:xmpp:mam:2' queryid='f27' id='R-100'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T12:00:00Z'/>
      <message xmlns='jabber:client' from='ops@rooms.shadow.example/viper' type='groupchat' id='g1'>
        <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' jid='viper@shadow.example/laptop' role='participant'/></x>
        <stanza-id xmlns='urn:xmpp:sid:0' by='ops@rooms.shadow.example' id='R-100'/>
        <body>Iedereen klaar?</body>
      </message>
    </forwarded>
  </result>
</message>
<message xmlns='jabber:client' to='ghost@shadow.example/phone1' from='ops@rooms.shadow.example' id='q2'>
  <result xmlns='urn:xmpp:mam:2' queryid='f27' id='R-101'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2020-05-01T12:00:42Z'/>
      <message xmlns='jabber:client' from='ops@rooms.shadow.example/Nachtuil' type='groupchat' id='g2'>
        <stanza-id xmlns='urn:xmpp:sid:0' by='ops@rooms.shadow.example' id='R-101'/>
        <body>geo:51.9225,4.47917</body>
        <reply xmlns='urn:xmpp:reply:0' to='ops@rooms.shadow.example/viper' id='R-100'/>
      </message>
    </forwarded>
  </result>
</message>
`;

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** ejabberd's archive table (pg schema with server_host) as `\copy archive TO 'archive.csv' CSV HEADER`. */
export const ejabberdCsv = [
  'username,server_host,timestamp,peer,bare_peer,xml,txt,id,kind,nick,created_at',
  [
    'ghost',
    'shadow.example',
    '1588327200123456',
    'viper@shadow.example/laptop',
    'viper@shadow.example',
    q(
      `<message xmlns="jabber:client" from="ghost@shadow.example/phone1" to="viper@shadow.example" type="chat" id="c1"><body>prijs: 4,5 "k", morgen</body></message>`,
    ),
    q('prijs: 4,5 "k", morgen'),
    '17',
    'chat',
    '',
    '2020-05-01 10:00:00.123456',
  ].join(','),
  [
    'viper',
    'shadow.example',
    '1588327260000001',
    'ghost@shadow.example/phone1',
    'ghost@shadow.example',
    q(
      `<message xmlns="jabber:client" from="ghost@shadow.example/phone1" to="viper@shadow.example/laptop" type="chat" id="c2"><body>regel een\nregel twee</body></message>`,
    ),
    q('regel een\nregel twee'),
    '18',
    'chat',
    '',
    '2020-05-01 10:01:00',
  ].join(','),
  [
    'ops@rooms.shadow.example',
    'shadow.example',
    '1588327320500000',
    'viper@shadow.example',
    'viper@shadow.example',
    q(
      `<message to='ops@rooms.shadow.example' from='viper@shadow.example' type='groupchat' xmlns='jabber:client'><body>in de groep</body></message>`,
    ),
    q('in de groep'),
    '19',
    'groupchat',
    q('viper'),
    '2020-05-01 10:02:00',
  ].join(','),
  [
    'ghost',
    'shadow.example',
    '1588327380000000',
    'viper@shadow.example',
    'viper@shadow.example',
    q('<message from="ghost@shadow.example"><body>kapot</message>'),
    q('kapot'),
    '20',
    'chat',
    '',
    '2020-05-01 10:03:00',
  ].join(','),
  ['ghost', 'shadow.example', 'yesterday', 'v@x', 'v@x', q('<message/>'), '', '21', 'chat', '', ''].join(','),
].join('\r\n');
