import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from 'src/auth/auth.decorators';
import type { Principal } from 'src/auth/auth.types';
import { DigestService } from 'src/scorecards/digest.service';
import { DigestPreferenceDto, DigestPreferenceResponseDto } from 'src/scorecards/scorecards.dto';

@ApiTags('scorecards')
@ApiBearerAuth()
@Controller('api/me/digest')
export class DigestController {
  constructor(private readonly digest: DigestService) {}

  @Get()
  @ApiOperation({ summary: 'Whether the caller receives the nightly digest e-mail' })
  @ApiOkResponse({ type: DigestPreferenceResponseDto })
  get(@CurrentPrincipal() p: Principal): Promise<DigestPreferenceResponseDto> {
    return this.digest.preference(p);
  }

  @Patch()
  @ApiOperation({ summary: 'Turn the caller’s nightly digest e-mail on or off' })
  @ApiOkResponse({ type: DigestPreferenceResponseDto })
  set(
    @CurrentPrincipal() p: Principal,
    @Body() body: DigestPreferenceDto,
  ): Promise<DigestPreferenceResponseDto> {
    return this.digest.setPreference(p, body.enabled);
  }
}
